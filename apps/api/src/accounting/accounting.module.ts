import { Module } from '@nestjs/common';
import { BankAccountsController } from './bank-accounts.controller';
import { MerchantContractsController } from './merchant-contracts.controller';
import { BankAccounts } from './usecases/bank-accounts';
import { MerchantContracts } from './usecases/merchant-contracts';

/** The accountants' API (key scope `accounting`): accounts, contracts, journal, statements. */
@Module({
  controllers: [BankAccountsController, MerchantContractsController],
  providers: [BankAccounts, MerchantContracts],
})
export class AccountingModule {}
