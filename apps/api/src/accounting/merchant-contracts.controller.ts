import { Body, Controller, Get, Param, Post, Put, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import { ApiProblems, IdempotencyKeyHeader, JSON_BODY_PROBLEMS } from '../common/openapi';
import { MerchantContractListView, MerchantContractView, toMerchantContractView } from './accounting.views';
import { MerchantContractDto } from './dto/merchant-contract.dto';
import { MerchantContracts } from './usecases/merchant-contracts';

const NOT_FOUND = { status: 404, description: '`merchant_contract_not_found` : aucun contrat de cet identifiant pour l’établissement.' };
const CONFLICT = {
  status: 409,
  description:
    '`merchant_contract_exists` : numéro déjà utilisé ; `modality_has_contract` : la modalité a déjà son contrat (membre `existingContractId`).',
};
const UNPROCESSABLE = {
  status: 422,
  description:
    '`unknown_bank_account` : settlementAccountId ne désigne aucun compte de l’établissement ; `settlement_account_required` : pas de compte DFT unique par défaut.',
};

@ApiTags('Comptabilité')
@GapApi('accounting')
@Controller('v1/merchant-contracts')
@UseInterceptors(IdempotencyInterceptor)
export class MerchantContractsController {
  constructor(private readonly contracts: MerchantContracts) {}

  @Get()
  @ApiOperation({ operationId: 'listMerchantContracts', summary: 'Contrats commerçants de l’établissement, un par modalité' })
  @ApiOkResponse({ type: MerchantContractListView })
  async list(@Principal() principal: ApiKeyPrincipal): Promise<MerchantContractListView> {
    return { data: (await this.contracts.list(principal)).map(toMerchantContractView) };
  }

  @Post()
  @ApiOperation({
    operationId: 'createMerchantContract',
    summary: 'Déclarer un contrat commerçant',
    description: 'Chaque empreinte et chaque débit PLBS enregistre le contrat `plbs_diapason` sous lequel il est fait.',
  })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: MerchantContractView })
  @ApiProblems(...JSON_BODY_PROBLEMS, CONFLICT, UNPROCESSABLE)
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: MerchantContractDto): Promise<MerchantContractView> {
    return toMerchantContractView(await this.contracts.create(principal, body));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getMerchantContract', summary: 'Un contrat commerçant' })
  @ApiOkResponse({ type: MerchantContractView })
  @ApiProblems(NOT_FOUND)
  async get(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<MerchantContractView> {
    return toMerchantContractView(await this.contracts.find(principal, id));
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateMerchantContract',
    summary: 'Modifier un contrat commerçant (numéro, modalité, acquéreur, compte de règlement)',
  })
  @ApiOkResponse({ type: MerchantContractView })
  @ApiProblems(...JSON_BODY_PROBLEMS, NOT_FOUND, CONFLICT, UNPROCESSABLE)
  async update(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string, @Body() body: MerchantContractDto): Promise<MerchantContractView> {
    return toMerchantContractView(await this.contracts.update(principal, id, body));
  }
}
