import * as accounting from '@diapason/accounting';

describe('@diapason/accounting', () => {
  it('exposes every module through one entry point', () => {
    for (const name of [
      'validateIban',
      'frenchIbanFromRib',
      'parseCfonb120',
      'writeCfonb120',
      'parseCamt053',
      'writeCamt053',
      'parseBankStatement',
      'detectStatementFormat',
      'fromCfonb',
      'toFrenchCsv',
      'toXlsx',
      'reconcile',
      'annualYearOf',
      'addBusinessDays',
      'frenchPublicHolidays',
      'BankStatementError',
    ]) {
      expect(typeof (accounting as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
