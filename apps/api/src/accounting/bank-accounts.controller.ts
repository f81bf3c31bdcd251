import { Body, Controller, Get, Param, Post, Put, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import { ApiProblems, IdempotencyKeyHeader, JSON_BODY_PROBLEMS } from '../common/openapi';
import { BankAccountListView, BankAccountView, toBankAccountView } from './accounting.views';
import { BankAccountDto } from './dto/bank-account.dto';
import { BankAccounts } from './usecases/bank-accounts';

const NOT_FOUND = { status: 404, description: '`bank_account_not_found` : aucun compte de cet identifiant pour l’établissement.' };
const EXISTS = { status: 409, description: '`bank_account_exists` : un compte de l’établissement a déjà cet IBAN.' };
const INVALID = {
  status: 400,
  description: '`validation_failed` : champ invalide, dont un IBAN dont la clé de contrôle est fausse (raison en français dans `errors`).',
};

@ApiTags('Comptabilité')
@GapApi('accounting')
@Controller('v1/bank-accounts')
@UseInterceptors(IdempotencyInterceptor)
export class BankAccountsController {
  constructor(private readonly accounts: BankAccounts) {}

  @Get()
  @ApiOperation({ operationId: 'listBankAccounts', summary: 'Comptes bancaires de l’établissement (comptes DFT et autres)' })
  @ApiOkResponse({ type: BankAccountListView })
  async list(@Principal() principal: ApiKeyPrincipal): Promise<BankAccountListView> {
    return { data: (await this.accounts.list(principal)).map(toBankAccountView) };
  }

  @Post()
  @ApiOperation({ operationId: 'createBankAccount', summary: 'Déclarer un compte bancaire (IBAN vérifié)' })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: BankAccountView })
  @ApiProblems(...JSON_BODY_PROBLEMS, INVALID, EXISTS)
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: BankAccountDto): Promise<BankAccountView> {
    return toBankAccountView(await this.accounts.create(principal, body));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getBankAccount', summary: 'Un compte bancaire' })
  @ApiOkResponse({ type: BankAccountView })
  @ApiProblems(NOT_FOUND)
  async get(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<BankAccountView> {
    return toBankAccountView(await this.accounts.find(principal, id));
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateBankAccount', summary: 'Modifier un compte bancaire (IBAN, libellé)' })
  @ApiOkResponse({ type: BankAccountView })
  @ApiProblems(...JSON_BODY_PROBLEMS, INVALID, NOT_FOUND, EXISTS)
  async update(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string, @Body() body: BankAccountDto): Promise<BankAccountView> {
    return toBankAccountView(await this.accounts.update(principal, id, body));
  }
}
