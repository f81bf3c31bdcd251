import { Module } from '@nestjs/common';
import { AnnualStatementsController } from './annual-statements.controller';
import { BankAccountsController } from './bank-accounts.controller';
import { JournalController } from './journal.controller';
import { MerchantContractsController } from './merchant-contracts.controller';
import { ReconciliationController } from './reconciliation.controller';
import { RemittancesController } from './remittances.controller';
import { StatementsController } from './statements.controller';
import { AnnualStatements } from './usecases/annual-statement';
import { BankAccounts } from './usecases/bank-accounts';
import { ImportStatement } from './usecases/import-statement';
import { Journal } from './usecases/journal';
import { Reconciliation } from './usecases/reconciliation';
import { Remittances } from './usecases/remittances';
import { MerchantContracts } from './usecases/merchant-contracts';

/** The accountants' API (key scope `accounting`): accounts, contracts, journal, statements. */
@Module({
  controllers: [
    BankAccountsController,
    MerchantContractsController,
    JournalController,
    StatementsController,
    RemittancesController,
    ReconciliationController,
    AnnualStatementsController,
  ],
  providers: [BankAccounts, MerchantContracts, Journal, ImportStatement, Remittances, Reconciliation, AnnualStatements],
})
export class AccountingModule {}
