import { Injectable } from '@nestjs/common';
import { ApiKeyPrincipal, EstablishmentRepository, RegieEntity } from '@diapason/persistence';

@Injectable()
export class ListRegies {
  constructor(private readonly establishments: EstablishmentRepository) {}

  execute(principal: ApiKeyPrincipal): Promise<RegieEntity[]> {
    return this.establishments.listRegies(principal.establishmentId);
  }
}
