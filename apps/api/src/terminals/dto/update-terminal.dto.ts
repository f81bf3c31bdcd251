import { OmitType } from '@nestjs/swagger';
import { CreateTerminalDto } from './create-terminal.dto';

/** Everything declared of a terminal but its identifier; an absent `bridgeHost` clears it. */
export class UpdateTerminalDto extends OmitType(CreateTerminalDto, ['id'] as const) {}
