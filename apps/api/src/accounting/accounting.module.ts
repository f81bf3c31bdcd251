import { Module } from '@nestjs/common';
import { BankAccountsController } from './bank-accounts.controller';
import { JournalController } from './journal.controller';
import { MerchantContractsController } from './merchant-contracts.controller';
import { BankAccounts } from './usecases/bank-accounts';
import { Journal } from './usecases/journal';
import { MerchantContracts } from './usecases/merchant-contracts';

/** The accountants' API (key scope `accounting`): accounts, contracts, journal, statements. */
@Module({
  controllers: [BankAccountsController, MerchantContractsController, JournalController],
  providers: [BankAccounts, MerchantContracts, Journal],
})
export class AccountingModule {}
