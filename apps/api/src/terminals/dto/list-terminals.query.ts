import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class ListTerminalsQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'true : les terminaux retirés aussi, après ceux en service.' })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeRetired?: 'true' | 'false';
}
