import { isbotMatch } from 'isbot';

/**
 * Why a fetch of the patient's link or of the e-mail's tracking pixel is not a person reading:
 * - `head`: a HEAD request shows nothing to anyone (link checkers, mail gateways, Office « existence
 *   discovery »);
 * - `image_proxy`: a mail provider's proxy fetched the images of the message, opened or not (Apple
 *   Mail Privacy Protection prefetches them all on arrival; Gmail and Yahoo fetch through their own
 *   proxy, so the request says nothing of who looked);
 * - `link_scanner`: a security gateway, link checker, preview or crawler fetched the link
 *   (Microsoft Safe Links / Defender, Proofpoint, Mimecast, Barracuda…, or any client the `isbot`
 *   list recognises, or one that sends no user agent at all).
 */
export type AutomatedFetch = 'head' | 'image_proxy' | 'link_scanner';

export interface AutomatedFetchMatch {
  reason: AutomatedFetch;
  /** What gave it away, for the journal: the method, or the part of the user agent that matched. */
  match: string;
}

interface Signature {
  name: string;
  pattern: RegExp;
}

/**
 * Image proxies of mail providers. Apple's proxy is recognised by the bare `Mozilla/5.0` user agent
 * its prefetches send (Apple Mail itself sends a full WebKit user agent); Apple's egress address
 * ranges are published online only and change, so they are not used (see README, « Preuves »).
 */
const IMAGE_PROXIES: readonly Signature[] = [
  { name: 'Apple Mail Privacy Protection', pattern: /^Mozilla\/5\.0$/ },
  { name: 'GoogleImageProxy', pattern: /GoogleImageProxy|ggpht\.com/i },
  { name: 'YahooMailProxy', pattern: /YahooMailProxy/i },
];

/**
 * Tokens that mail-security gateways and Office link checks put in their user agent, for those that
 * announce themselves. Many gateways (Safe Links detonation, Proofpoint URL Defense) fetch with an
 * ordinary browser's user agent from their own addresses: those are not recognisable here.
 */
const LINK_SCANNERS: readonly Signature[] = [
  {
    name: 'Microsoft Safe Links / Office',
    pattern: /Microsoft Office|ms-office|MSOffice|Microsoft Outlook|Outlook-(?:iOS|Android)|BingPreview|SkypeUriPreview|SafeLinks/i,
  },
  { name: 'Proofpoint', pattern: /Proofpoint/i },
  { name: 'Mimecast', pattern: /Mimecast/i },
  { name: 'Barracuda', pattern: /Barracuda/i },
  { name: 'Cisco IronPort', pattern: /IronPort/i },
  { name: 'Symantec / Broadcom', pattern: /MessageLabs|Symantec/i },
  { name: 'Trend Micro', pattern: /Trend ?Micro/i },
  { name: 'Sophos', pattern: /Sophos/i },
  { name: 'Fortinet', pattern: /Forti(?:Guard|Mail|net)/i },
];

function signature(list: readonly Signature[], userAgent: string): string | null {
  return list.find((s) => s.pattern.test(userAgent))?.name ?? null;
}

/**
 * Whether a fetch of the link (`link`) or of the pixel (`pixel`) was made by a machine rather than
 * by the patient. Null when nothing says so: a person's browser or mail client, as far as we can tell.
 * Outlook's own client loading the pixel is a real opening, so Office tokens only count against links.
 */
export function automatedFetch(kind: 'link' | 'pixel', method: string, userAgent: string | null | undefined): AutomatedFetchMatch | null {
  if (method.toUpperCase() === 'HEAD') return { reason: 'head', match: 'HEAD' };
  const agent = (userAgent ?? '').trim();
  if (!agent) return { reason: 'link_scanner', match: 'aucun user agent' };
  const proxy = signature(IMAGE_PROXIES, agent);
  if (proxy) return { reason: 'image_proxy', match: proxy };
  if (kind === 'link') {
    const scanner = signature(LINK_SCANNERS, agent);
    if (scanner) return { reason: 'link_scanner', match: scanner };
  }
  const bot = isbotMatch(agent);
  return bot ? { reason: 'link_scanner', match: bot } : null;
}
