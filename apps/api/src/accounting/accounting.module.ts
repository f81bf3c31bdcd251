import { Module } from '@nestjs/common';
import { BankAccountsController } from './bank-accounts.controller';
import { JournalController } from './journal.controller';
import { MerchantContractsController } from './merchant-contracts.controller';
import { StatementsController } from './statements.controller';
import { BankAccounts } from './usecases/bank-accounts';
import { ImportStatement } from './usecases/import-statement';
import { Journal } from './usecases/journal';
import { MerchantContracts } from './usecases/merchant-contracts';

/** The accountants' API (key scope `accounting`): accounts, contracts, journal, statements. */
@Module({
  controllers: [BankAccountsController, MerchantContractsController, JournalController, StatementsController],
  providers: [BankAccounts, MerchantContracts, Journal, ImportStatement],
})
export class AccountingModule {}
