import { PickType } from '@nestjs/swagger';
import { PageQuery } from '../../common/page.query';

export class ListDeliveriesQuery extends PickType(PageQuery, ['limit'] as const) {}
