// The Chirpy web app (served at /app/ as static assets), built into public/app/app.js by
// scripts/build-client.mjs: the shipped client in cookie mode (session.ts), DOM helpers (dom.ts),
// one file per view (views/). Nothing is written to localStorage, sessionStorage or
// document.cookie; every text from the server goes in through textContent, never as HTML.

import { resume, screens } from "./session";
import { showHome } from "./views/home";
import { showLoggedOut } from "./views/logged-out";
import { showCancelEmailChange, showResetPassword, showVerifyEmail } from "./views/mail-links";
import { showSecondStep } from "./views/second-step";

screens.home = showHome;
screens.loggedOut = showLoggedOut;
screens.secondStep = showSecondStep;

// A mail link carries its token in the fragment (never sent to a server); take it off the address
// bar and out of the history at once.
const linkToken = /^#token=([0-9a-f]{64})$/.exec(location.hash)?.[1];
if (location.hash) history.replaceState(null, "", location.pathname);
if (linkToken && location.pathname.endsWith("/reset-password")) showResetPassword(linkToken);
else if (linkToken && location.pathname.endsWith("/verify-email")) showVerifyEmail(linkToken);
else if (linkToken && location.pathname.endsWith("/cancel-email-change")) showCancelEmailChange(linkToken);
else await resume();
