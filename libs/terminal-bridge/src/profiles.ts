/**
 * What differs between terminals and what the public record does not settle lives here, as data:
 * one profile per model, overridable per terminal through its transport URL. The defaults below
 * are this project's assumptions where the Concert specification is not public (see README,
 * "Terminal profiles"); `terminal:check` against a real terminal confirms them at deployment.
 */
export const TERMINAL_MODELS = ['ICT250', 'iWL280'] as const;
export type TerminalModel = (typeof TERMINAL_MODELS)[number];

export const CONCERT_OPERATIONS = ['imprint', 'debit', 'refund', 'cancel', 'last_transaction'] as const;
export type ConcertOperation = (typeof CONCERT_OPERATIONS)[number];

export type FieldLayout = readonly (readonly [name: string, length: number])[];

export interface V2Profile {
  /** `E+`: 34-character requests (A010/B010 fields); `E`: 28 characters, one character each. */
  variant: 'E+' | 'E';
  /** Transaction type character per operation. */
  transactionTypes: Readonly<Record<ConcertOperation, string>>;
  /** Order and length of the fields of a full answer (answer flag `1`). */
  answerLayout: FieldLayout;
  /** Inside the 55-character report of the full answer; starts with the card number. */
  reportLayout: FieldLayout;
  /** Request flags: answer at end of transaction, terminal decides on authorisation. */
  delay: string;
  authorisation: string;
}

export interface V3Profile {
  /** `CD` action per operation. */
  actions: Readonly<Record<ConcertOperation, string>>;
  /** `CJ`: 12-character identifier of the register protocol. */
  protocolId: string;
  /** Tag carrying the acquirer's transaction reference in answers. */
  acquirerReferenceTag: string;
}

export interface Itp {
  contact: string;
  contactless: string;
  plbs: string;
}

export interface TerminalProfile {
  model: TerminalModel;
  label: string;
  v2: V2Profile;
  v3: V3Profile;
  itp: { acceptanceServer: Itp; acceptancePoint: Itp };
}

const V2_DEFAULT: V2Profile = {
  variant: 'E+',
  transactionTypes: { debit: '0', refund: '1', cancel: '2', imprint: '4', last_transaction: '8' },
  answerLayout: [
    ['register', 2],
    ['status', 1],
    ['amount', 8],
    ['mode', 1],
    ['report', 55],
    ['currency', 3],
    ['private', 10],
  ],
  reportLayout: [
    ['pan', 19],
    ['expiry', 4],
    ['authorisation', 6],
    ['acquirerReference', 12],
    ['filler', 14],
  ],
  delay: 'A010',
  authorisation: 'B010',
};

const V3_DEFAULT: V3Profile = {
  actions: { debit: '0', refund: '1', cancel: '2', imprint: '4', last_transaction: '8' },
  protocolId: 'DIAPASON0001',
  acquirerReferenceTag: 'AT',
};

const ACCEPTANCE_SERVER: Itp = { contact: '107550600004', contactless: '107551600005', plbs: '107560680804' };

export const PROFILES: Readonly<Record<TerminalModel, TerminalProfile>> = {
  ICT250: {
    model: 'ICT250',
    label: 'Ingenico ICT250 (comptoir)',
    v2: V2_DEFAULT,
    v3: V3_DEFAULT,
    itp: {
      acceptanceServer: ACCEPTANCE_SERVER,
      acceptancePoint: { contact: '107550100004', contactless: '107551100009', plbs: '107560100803' },
    },
  },
  iWL280: {
    model: 'iWL280',
    label: 'Ingenico iWL280 (mobile)',
    v2: V2_DEFAULT,
    v3: V3_DEFAULT,
    itp: {
      acceptanceServer: ACCEPTANCE_SERVER,
      acceptancePoint: { contact: '107550150004', contactless: '107551150009', plbs: '107560150803' },
    },
  },
};

export function isTerminalModel(value: unknown): value is TerminalModel {
  return typeof value === 'string' && (TERMINAL_MODELS as readonly string[]).includes(value);
}

/** Profile of a model with a terminal's own overrides (from its URL: `variant`, `imprintType`, `imprintAction`). */
export function profileFor(
  model: TerminalModel,
  overrides: { variant?: 'E+' | 'E'; imprintType?: string; imprintAction?: string } = {},
): TerminalProfile {
  const base = PROFILES[model];
  return {
    ...base,
    v2: {
      ...base.v2,
      variant: overrides.variant ?? base.v2.variant,
      transactionTypes: { ...base.v2.transactionTypes, ...(overrides.imprintType ? { imprint: overrides.imprintType } : {}) },
    },
    v3: {
      ...base.v3,
      actions: { ...base.v3.actions, ...(overrides.imprintAction ? { imprint: overrides.imprintAction } : {}) },
    },
  };
}
