import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

export interface StubResolver {
  /** The lookup function to inject into the HTTP client's hook. */
  lookup: LookupFunction;
  /** The host names looked up, one per connection the client tried to open. */
  readonly hostnames: string[];
}

/**
 * A resolver for tests, in place of the DNS: the n-th look-up answers `answers[n]` (the last answer
 * repeats), so a test can have a name resolve to any address, or change its answer between
 * connections as a rebinding DNS server would. Answers asynchronously, as dns.lookup does.
 */
export function stubResolver(...answers: (readonly string[])[]): StubResolver {
  const hostnames: string[] = [];
  const lookup: LookupFunction = (hostname, options, callback) => {
    const answer = answers[Math.min(hostnames.length, answers.length - 1)] ?? [];
    hostnames.push(hostname);
    const addresses: LookupAddress[] = answer.map((address) => ({ address, family: isIP(address) }));
    setImmediate(() => {
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]?.address ?? '', addresses[0]?.family);
    });
  };
  return { lookup, hostnames };
}
