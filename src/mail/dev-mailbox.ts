// The local dev mailbox (PLATFORM=dev only): every mail handed to the send_email binding is also
// kept in this isolate's memory, newest last, so a developer can read it at GET /admin/mailbox.
// Never in D1: a database dump holds no reset or verification link.

export interface KeptMail {
  to: string;
  subject: string;
  text: string;
  sent_at: string;
}

const MAX_KEPT = 200;
const kept: KeptMail[] = [];

export function keepForDev(mail: KeptMail): void {
  kept.push(mail);
  if (kept.length > MAX_KEPT) kept.splice(0, kept.length - MAX_KEPT);
}

/** The mails kept for an address, newest first. */
export function keptMailTo(address: string): KeptMail[] {
  return kept.filter((mail) => mail.to === address).reverse();
}
