import { describe, expect, it } from "vitest";
import { isLoopback, networkKeyOf, networkTiersOf } from "../../src/net/network";

describe("networkKeyOf", () => {
  it("keys IPv4 on the full address", () => {
    expect(networkKeyOf("203.0.113.7")).toBe("ip4:203.0.113.7");
    expect(networkKeyOf("203.0.113.8")).toBe("ip4:203.0.113.8");
  });

  it("keys every address of one IPv6 /64 the same, whatever its spelling", () => {
    const keys = [
      "2001:db8:85a3:42::1",
      "2001:0db8:85a3:0042:ffff:ffff:ffff:ffff",
      "2001:DB8:85A3:42:1234:5678:9abc:def0",
      "[2001:db8:85a3:42::dead:beef]",
      "fe80::1%eth0".replace("fe80::", "2001:db8:85a3:42::"),
    ].map(networkKeyOf);
    expect(new Set(keys)).toEqual(new Set(["ip6:2001:db8:85a3:42::/64"]));
  });

  it("tells neighbouring /64s apart", () => {
    expect(networkKeyOf("2001:db8:85a3:43::1")).toBe("ip6:2001:db8:85a3:43::/64");
    expect(networkKeyOf("::1")).toBe("ip6:0:0:0:0::/64");
  });

  it("treats an IPv4-mapped IPv6 address as the IPv4 address", () => {
    expect(networkKeyOf("::ffff:203.0.113.7")).toBe("ip4:203.0.113.7");
    expect(networkKeyOf("::ffff:cb00:7107")).toBe("ip4:203.0.113.7");
  });

  it.each(["", "unknown", "1.2.3", "1.2.3.256", "1.2.3.4.5", "2001:db8::1::2", "2001:db8:g::1", "1:2:3:4:5:6:7:8:9"])(
    "returns null for %j",
    (raw) => {
      expect(networkKeyOf(raw)).toBeNull();
    },
  );
});

describe("networkTiersOf", () => {
  it("an IPv4 address is one tier; an IPv6 address its /64, /56 (×4) and /48 (×8)", () => {
    expect(networkTiersOf("192.0.2.7")).toEqual([{ key: "ip4:192.0.2.7", multiplier: 1 }]);
    expect(networkTiersOf("2001:db8:ab:cdef::1")).toEqual([
      { key: "ip6:2001:db8:ab:cdef::/64", multiplier: 1 },
      { key: "ip6:2001:db8:ab:cd00::/56", multiplier: 4 },
      { key: "ip6:2001:db8:ab:0::/48", multiplier: 8 },
    ]);
    expect(networkTiersOf("not an address")).toEqual([]);
  });
});

describe("isLoopback", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["::1", true],
    ["[0:0:0:0:0:0:0:1]", true],
    ["::ffff:127.0.0.1", true],
    ["::2", false],
    ["10.0.0.1", false],
    ["2001:db8::1", false],
    ["garbage", false],
  ])("%s → %s", (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});
