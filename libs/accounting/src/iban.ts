import { validateIBAN, ValidationErrorsIBAN } from 'ibantools';

/** The DGFiP's bank code: a DFT account (dépôt de fonds au Trésor) is held under it. */
export const TREASURY_BANK_CODE = '10071';

export type IbanValidation =
  | {
      readonly ok: true;
      /** Electronic format: no spaces, upper case. */
      readonly iban: string;
      readonly countryCode: string;
      /** The RIB parts, for French IBANs only. */
      readonly bankCode?: string;
      readonly branchCode?: string;
      readonly accountNumber?: string;
      readonly ribKey?: string;
    }
  | { readonly ok: false; readonly message: string };

/** What people paste: spaces, dashes and dots between groups, lower case, an "IBAN" prefix. */
export function normaliseIban(input: string): string {
  return input
    .replace(/^\s*IBAN\s*:?/i, '')
    .replace(/[\s.-]+/g, '')
    .toUpperCase();
}

/** "FR76 1007 1750 0000 0010 0012 345", the way a statement or a form prints it. */
export function formatIban(input: string): string {
  return normaliseIban(input).replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Letters of a French account number stand for digits in the RIB key: A and J are 1, B, K and S
 * are 2, and so on, the bank's historical punched-card mapping.
 */
function ribDigit(char: string): string {
  const code = char.charCodeAt(0);
  if (code >= 48 && code <= 57) return char;
  if (code >= 65 && code <= 73) return String(code - 64);
  if (code >= 74 && code <= 82) return String(code - 73);
  if (code >= 83 && code <= 90) return String(code - 81);
  throw new RangeError(`Not a RIB character: ${char}`);
}

/** The remainder of a long decimal string by 97, chunk by chunk, so that no float ever appears. */
function mod97(digits: string): number {
  let remainder = 0;
  for (let start = 0; start < digits.length; start += 7) {
    remainder = Number(`${remainder}${digits.slice(start, start + 7)}`) % 97;
  }
  return remainder;
}

const BANK_OR_BRANCH = /^\d{5}$/;
const ACCOUNT_NUMBER = /^[0-9A-Z]{11}$/;

function assertRibParts(bankCode: string, branchCode: string, accountNumber: string): void {
  if (!BANK_OR_BRANCH.test(bankCode)) throw new RangeError(`Le code banque doit avoir 5 chiffres (reçu « ${bankCode} »).`);
  if (!BANK_OR_BRANCH.test(branchCode)) throw new RangeError(`Le code guichet doit avoir 5 chiffres (reçu « ${branchCode} »).`);
  if (!ACCOUNT_NUMBER.test(accountNumber)) {
    throw new RangeError(`Le numéro de compte doit avoir 11 chiffres ou lettres majuscules (reçu « ${accountNumber} »).`);
  }
}

/** `97 - ((89·bank + 15·branch + 3·account) mod 97)`, on two digits. */
export function ribKey(bankCode: string, branchCode: string, accountNumber: string): string {
  const account = normaliseIban(accountNumber);
  assertRibParts(bankCode, branchCode, account);
  const accountDigits = [...account].map(ribDigit).join('');
  const weighted = 89 * Number(bankCode) + 15 * Number(branchCode) + 3 * mod97(accountDigits);
  return String(97 - (weighted % 97)).padStart(2, '0');
}

/** ISO 13616: the country and "00" moved behind the BBAN, letters as 10…35, then 98 - (n mod 97). */
function ibanCheckDigits(countryCode: string, bban: string): string {
  const rearranged = `${bban}${countryCode}00`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  return String(98 - mod97(rearranged)).padStart(2, '0');
}

/** A French IBAN from its RIB: used by tests and simulators, which need accounts that validate. */
export function frenchIbanFromRib(bankCode: string, branchCode: string, accountNumber: string): string {
  const account = normaliseIban(accountNumber);
  const bban = `${bankCode}${branchCode}${account}${ribKey(bankCode, branchCode, account)}`;
  return `FR${ibanCheckDigits('FR', bban)}${bban}`;
}

const FRENCH_MESSAGES: Readonly<Record<ValidationErrorsIBAN, string>> = {
  [ValidationErrorsIBAN.NoIBANProvided]: 'L’IBAN est vide.',
  [ValidationErrorsIBAN.NoIBANCountry]: 'L’IBAN ne commence pas par un code pays connu.',
  [ValidationErrorsIBAN.WrongBBANLength]: 'L’IBAN n’a pas la longueur prévue pour son pays.',
  [ValidationErrorsIBAN.WrongBBANFormat]: 'L’IBAN contient des caractères inattendus pour son pays.',
  [ValidationErrorsIBAN.ChecksumNotNumber]: 'La clé de contrôle de l’IBAN (3e et 4e caractères) doit être composée de chiffres.',
  [ValidationErrorsIBAN.WrongIBANChecksum]: 'La clé de contrôle de l’IBAN est fausse : vérifiez la saisie.',
  [ValidationErrorsIBAN.WrongAccountBankBranchChecksum]: 'La clé RIB ne correspond pas au code banque, au code guichet et au numéro de compte.',
  [ValidationErrorsIBAN.QRIBANNotAllowed]: 'Les QR-IBAN ne sont pas acceptés.',
};

/** A mistyped character breaks both keys; the IBAN's own key is the one people know to re-check. */
const REFUSAL_PRIORITY: readonly ValidationErrorsIBAN[] = [
  ValidationErrorsIBAN.NoIBANCountry,
  ValidationErrorsIBAN.WrongBBANLength,
  ValidationErrorsIBAN.WrongBBANFormat,
  ValidationErrorsIBAN.ChecksumNotNumber,
  ValidationErrorsIBAN.WrongIBANChecksum,
  ValidationErrorsIBAN.WrongAccountBankBranchChecksum,
  ValidationErrorsIBAN.QRIBANNotAllowed,
];

/**
 * ISO 13616 check for every country (ibantools, which also checks the French RIB key), and the RIB
 * parts for French accounts. The first refusal reason is the one a person can act on.
 */
export function validateIban(input: string): IbanValidation {
  const iban = normaliseIban(input);
  if (iban === '') return { ok: false, message: FRENCH_MESSAGES[ValidationErrorsIBAN.NoIBANProvided] };
  if (!/^[A-Z0-9]+$/.test(iban)) {
    return { ok: false, message: 'L’IBAN ne peut contenir que des lettres et des chiffres.' };
  }
  const result = validateIBAN(iban, { allowQRIBAN: false });
  if (!result.valid) {
    const first = REFUSAL_PRIORITY.find((code) => result.errorCodes.includes(code)) ?? ValidationErrorsIBAN.WrongIBANChecksum;
    return { ok: false, message: FRENCH_MESSAGES[first] };
  }
  const countryCode = iban.slice(0, 2);
  if (countryCode !== 'FR') return { ok: true, iban, countryCode };
  return {
    ok: true,
    iban,
    countryCode,
    bankCode: iban.slice(4, 9),
    branchCode: iban.slice(9, 14),
    accountNumber: iban.slice(14, 25),
    ribKey: iban.slice(25, 27),
  };
}

/** A DFT account is a French account held by the Treasury. */
export function isTreasuryIban(input: string): boolean {
  const validation = validateIban(input);
  return validation.ok && validation.bankCode === TREASURY_BANK_CODE;
}
