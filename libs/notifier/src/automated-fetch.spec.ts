import { automatedFetch } from './automated-fetch';

const PHONE_BROWSER = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const APPLE_MAIL = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const OUTLOOK_DESKTOP = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)';

describe('automated fetches of the patient link and pixel', () => {
  it('never takes a HEAD request for a reading, whoever sends it', () => {
    expect(automatedFetch('link', 'HEAD', PHONE_BROWSER)).toEqual({ reason: 'head', match: 'HEAD' });
    expect(automatedFetch('pixel', 'head', APPLE_MAIL)).toMatchObject({ reason: 'head' });
  });

  it('recognises image proxies, Apple Mail Privacy Protection included', () => {
    expect(automatedFetch('pixel', 'GET', 'Mozilla/5.0')).toEqual({ reason: 'image_proxy', match: 'Apple Mail Privacy Protection' });
    expect(automatedFetch('pixel', 'GET', 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)')).toMatchObject(
      {
        reason: 'image_proxy',
        match: 'GoogleImageProxy',
      },
    );
    expect(automatedFetch('pixel', 'GET', 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html')).toMatchObject({
      reason: 'image_proxy',
    });
  });

  it('recognises mail-security gateways, link previews and crawlers on links', () => {
    for (const agent of [
      'Microsoft Office Existence Discovery',
      'Mozilla/4.0 (compatible; ms-office; MSOffice 16)',
      OUTLOOK_DESKTOP,
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130 Safari/537.36 Edg/130 BingPreview/1.0b',
      'Proofpoint URL Defense',
      'Mimecast URL Protect',
      'Barracuda Sentinel (EE)',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 Safari/537.36',
      'facebookexternalhit/1.1 Facebot Twitterbot/1.0',
      'python-requests/2.32.3',
      'curl/8.5.0',
      '',
    ]) {
      expect(automatedFetch('link', 'GET', agent)).toMatchObject({ reason: 'link_scanner' });
    }
    expect(automatedFetch('link', 'GET', undefined)).toMatchObject({ reason: 'link_scanner', match: 'aucun user agent' });
  });

  it('takes a person’s browser or mail client for a person', () => {
    expect(automatedFetch('link', 'GET', PHONE_BROWSER)).toBeNull();
    expect(automatedFetch('link', 'GET', IPHONE_SAFARI)).toBeNull();
    expect(automatedFetch('pixel', 'GET', APPLE_MAIL)).toBeNull();
    // Outlook's own client loads the images of the message it shows: a real opening.
    expect(automatedFetch('pixel', 'GET', OUTLOOK_DESKTOP)).toBeNull();
  });
});
