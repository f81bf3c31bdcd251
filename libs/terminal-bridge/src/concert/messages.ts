import type { ConcertOperation, FieldLayout, TerminalProfile } from '../profiles';
import { ProtocolError } from './errors';
import { normaliseMaskedPan } from './masking';
import type { TlvFields } from './v3-tlv';

export interface ConcertRequest {
  operation: ConcertOperation;
  amountCents: number;
  /** Our reference of the transaction, echoed by the terminal (V2 private field, V3 `CH`): 1–10 characters. */
  reference: string;
  registerNumber?: string;
}

export type AnswerStatus = 'accepted' | 'refused' | 'not_done';

/** Terminal answer, card data already masked: no field here can hold a full card number. */
export interface ConcertAnswer {
  status: AnswerStatus;
  /** Why a transaction was not done (V3 `AF`), when the terminal says. */
  detail: string | null;
  amountCents: number;
  reference: string | null;
  maskedPan: string | null;
  /** YYMM */
  cardExpiry: string | null;
  authorisationNumber: string | null;
  acquirerReference: string | null;
  contractNumber: string | null;
}

export const CURRENCY_EUR = '978';
const FULL_ANSWER = '1';
const CARD_PAYMENT = '1';

function checkRequest(request: ConcertRequest): void {
  if (!Number.isSafeInteger(request.amountCents) || request.amountCents < 0 || request.amountCents > 99_999_999) {
    throw new ProtocolError('bad_field', 'Montant hors des limites du protocole');
  }
  if (!/^[\x20-\x7e]{1,10}$/.test(request.reference)) throw new ProtocolError('bad_field', 'Référence invalide');
}

// ---- V2 -------------------------------------------------------------------------------------

export function encodeV2Request(profile: TerminalProfile, request: ConcertRequest): string {
  checkRequest(request);
  const v2 = profile.v2;
  const register = (request.registerNumber ?? '01').padStart(2, '0').slice(-2);
  const amount = request.amountCents.toString().padStart(8, '0');
  const type = v2.transactionTypes[request.operation];
  const privateField = request.reference.padEnd(10, ' ');
  const tail = v2.variant === 'E+' ? `${v2.delay}${v2.authorisation}` : `${v2.delay.slice(-1)}${v2.authorisation.slice(-1)}`;
  // The full answer (flag 1) carries the card number, masked on arrival, and the authorisation.
  return `${register}${amount}${FULL_ANSWER}${CARD_PAYMENT}${type}${CURRENCY_EUR}${privateField}${tail}`;
}

export function v2RequestLength(profile: TerminalProfile): number {
  return profile.v2.variant === 'E+' ? 34 : 28;
}

function layoutLength(layout: FieldLayout): number {
  return layout.reduce((sum, [, length]) => sum + length, 0);
}

function cut(data: string, layout: FieldLayout): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 0;
  for (const [name, length] of layout) {
    out[name] = data.slice(offset, offset + length);
    offset += length;
  }
  return out;
}

/** Reads a V2 answer (full or short) through the profile's layout. */
export function decodeV2Answer(profile: TerminalProfile, data: string): ConcertAnswer {
  const full = profile.v2.answerLayout;
  const short = full.filter(([name]) => name !== 'report');
  let fields: Record<string, string>;
  if (data.length === layoutLength(full)) fields = cut(data, full);
  else if (data.length === layoutLength(short)) fields = cut(data, short);
  else throw new ProtocolError('bad_length', `Réponse V2 de ${data.length} caractères inattendue`);

  const status = fields.status;
  const mapped: AnswerStatus | undefined = status === '0' ? 'accepted' : status === '7' ? 'refused' : status === '9' ? 'not_done' : undefined;
  if (!mapped) throw new ProtocolError('bad_field', `Statut V2 inconnu : ${status}`);
  if (!/^\d{8}$/.test(fields.amount ?? '')) throw new ProtocolError('bad_field', 'Montant V2 illisible');
  const report = fields.report ? cut(fields.report, profile.v2.reportLayout) : {};
  const text = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : null);
  const pan = text(report.pan);
  return {
    status: mapped,
    detail: null,
    amountCents: Number(fields.amount),
    reference: text(fields.private),
    maskedPan: pan ? normaliseMaskedPan(pan) : null,
    cardExpiry: text(report.expiry),
    authorisationNumber: text(report.authorisation),
    acquirerReference: text(report.acquirerReference),
    contractNumber: null,
  };
}

// ---- V3 -------------------------------------------------------------------------------------

export const V3_REQUIRED_REQUEST_TAGS = ['CZ', 'CJ', 'CA', 'CB', 'CD', 'CE'] as const;
export const V3_REQUIRED_ANSWER_TAGS = ['CZ', 'CA', 'CB', 'CD', 'CE', 'AE'] as const;

export function v3RequestFields(profile: TerminalProfile, request: ConcertRequest): [string, string][] {
  checkRequest(request);
  return [
    ['CZ', '0300'],
    ['CJ', profile.v3.protocolId],
    ['CA', (request.registerNumber ?? '01').padStart(2, '0').slice(-2)],
    ['CB', request.amountCents.toString().padStart(2, '0')],
    ['CD', profile.v3.actions[request.operation]],
    ['CE', CURRENCY_EUR],
    ['BA', '0'],
    ['CH', request.reference],
  ];
}

const V3_DETAILS: Record<string, string> = {
  '04': 'refused',
  '06': 'abandoned',
  '08': 'input_timeout',
  '09': 'format_error',
  '11': 'operator_abandon',
  '12': 'unknown_action',
  '13': 'currency_not_supported',
};

export function decodeV3Answer(profile: TerminalProfile, fields: TlvFields): ConcertAnswer {
  for (const tag of V3_REQUIRED_ANSWER_TAGS) {
    if (!fields.has(tag)) throw new ProtocolError('missing_tag', `Réponse V3 sans ${tag}`);
  }
  const ae = fields.get('AE')!;
  const af = fields.get('AF') ?? null;
  const status: AnswerStatus | undefined = ae === '10' ? 'accepted' : ae === '01' ? (af === '04' ? 'refused' : 'not_done') : undefined;
  if (!status) throw new ProtocolError('bad_field', `Statut V3 inconnu : ${ae}`);
  const amount = fields.get('CB')!;
  if (!/^\d{1,12}$/.test(amount)) throw new ProtocolError('bad_field', 'Montant V3 illisible');
  const pan = fields.get('AA');
  return {
    status,
    detail: af ? (V3_DETAILS[af] ?? `code_${af}`) : null,
    amountCents: Number(amount),
    reference: fields.get('CH') ?? null,
    maskedPan: pan ? normaliseMaskedPan(pan) : null,
    cardExpiry: fields.get('AB') ?? null,
    authorisationNumber: fields.get('AC') ?? null,
    acquirerReference: fields.get(profile.v3.acquirerReferenceTag) ?? null,
    contractNumber: fields.get('CG') ?? null,
  };
}

// ---- the terminal's side, used by the simulator and the codec tests ----------------------------

export interface DecodedV2Request {
  registerNumber: string;
  amountCents: number;
  fullAnswer: boolean;
  paymentMode: string;
  transactionType: string;
  currency: string;
  reference: string;
}

/** Reads a register's V2 request (either variant), as a terminal does. */
export function decodeV2Request(data: string): DecodedV2Request {
  if (data.length !== 34 && data.length !== 28) throw new ProtocolError('bad_length', `Requête V2 de ${data.length} caractères`);
  if (!/^\d{2}\d{8}[01]/.test(data)) throw new ProtocolError('bad_field', 'Requête V2 illisible');
  return {
    registerNumber: data.slice(0, 2),
    amountCents: Number(data.slice(2, 10)),
    fullAnswer: data[10] === '1',
    paymentMode: data[11],
    transactionType: data[12],
    currency: data.slice(13, 16),
    reference: data.slice(16, 26).trim(),
  };
}

/**
 * A terminal's V2 answer. `cardNumber` is what a real terminal puts at the head of the report; the
 * simulator passes a number that cannot be a real card (it fails the Luhn check).
 */
export function encodeV2Answer(
  profile: TerminalProfile,
  answer: Omit<ConcertAnswer, 'maskedPan' | 'detail' | 'contractNumber'> & { cardNumber: string | null; registerNumber: string; full: boolean },
): string {
  const status = answer.status === 'accepted' ? '0' : answer.status === 'refused' ? '7' : '9';
  const report: Record<string, string> = {
    pan: answer.cardNumber ?? '',
    expiry: answer.cardExpiry ?? '',
    authorisation: answer.authorisationNumber ?? '',
    acquirerReference: answer.acquirerReference ?? '',
    filler: '',
  };
  const values: Record<string, string> = {
    register: answer.registerNumber,
    status,
    amount: answer.amountCents.toString().padStart(8, '0'),
    mode: CARD_PAYMENT,
    report: profile.v2.reportLayout.map(([name, length]) => (report[name] ?? '').padEnd(length, ' ').slice(0, length)).join(''),
    currency: CURRENCY_EUR,
    private: (answer.reference ?? '').padEnd(10, ' ').slice(0, 10),
  };
  return profile.v2.answerLayout
    .filter(([name]) => answer.full || name !== 'report')
    .map(([name, length]) => (values[name] ?? '').padEnd(length, ' ').slice(0, length))
    .join('');
}
