import { isIP } from 'node:net';
import { BadValue, Parser } from './env-parsers';

/**
 * Express's `trust proxy`: `false` (the socket's address is the client's), a number of proxies in
 * front of the api, or the addresses / CIDR networks of the proxies whose `X-Forwarded-For` is
 * believed (`loopback`, `linklocal`, `uniquelocal` name Express's presets).
 */
export type TrustProxy = false | number | string[];

const PRESETS = ['loopback', 'linklocal', 'uniquelocal'];
const OFF = ['off', 'false', 'non', 'no', '0'];
const ALL = ['on', 'true', 'oui', 'yes', 'all', '*'];

function isAddressOrNetwork(item: string): boolean {
  if (PRESETS.includes(item)) return true;
  const [address, prefix, ...rest] = item.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

/** `off`, `1`, `loopback`, `127.0.0.1, 10.0.0.0/8`… → the value given to `app.set('trust proxy', …)`. */
export const trustProxy: Parser<TrustProxy> = (value) => {
  const lower = value.toLowerCase();
  if (OFF.includes(lower)) return false;
  if (ALL.includes(lower)) {
    throw new BadValue(
      `« ${value} » : croire tous les proxys permettrait à n’importe quel client de choisir son adresse (X-Forwarded-For). ` +
        'Donnez le nombre de proxys devant l’api (ex. 1) ou leurs adresses (ex. loopback, 10.0.0.5, 10.1.0.0/16).',
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new BadValue(`« ${value} » : au plus 10 proxys successifs.`);
    return hops;
  }
  const items = value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const wrong = items.filter((item) => !isAddressOrNetwork(item));
  if (wrong.length > 0) {
    throw new BadValue(
      `${wrong.map((item) => `« ${item} »`).join(', ')} : attendu off, un nombre de proxys, ou des adresses IP / réseaux CIDR ` +
        '(ex. loopback, 10.0.0.5, 10.1.0.0/16).',
    );
  }
  return items;
};
