import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsOptionalNotNull } from '../../common/validators';

export class ListTerminalsQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'true : les terminaux retirés aussi, après ceux en service.' })
  @IsOptionalNotNull()
  @IsIn(['true', 'false'])
  includeRetired?: 'true' | 'false';
}
