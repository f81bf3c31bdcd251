import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { DossierLifecycle } from '@diapason/lifecycle';
import { ApiKeyPrincipal, DossierEntity, EstablishmentRepository } from '@diapason/persistence';
import { v7 as uuidv7 } from 'uuid';
import { CreateDossierDto } from '../dto/create-dossier.dto';

@Injectable()
export class CreateDossier {
  constructor(
    private readonly lifecycle: DossierLifecycle,
    private readonly establishments: EstablishmentRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(principal: ApiKeyPrincipal, command: CreateDossierDto): Promise<DossierEntity> {
    const regieId = await this.establishments.ensureRegie(principal.establishmentId, command.regieCode);
    return this.lifecycle.open({
      actor: { type: 'gap', id: principal.apiKeyId },
      dossier: {
        id: uuidv7(),
        establishmentId: principal.establishmentId,
        regieId,
        regieCode: command.regieCode,
        gapDossierNumber: command.gapDossierNumber,
        patientLastName: command.patient.lastName,
        patientFirstName: command.patient.firstName,
        patientPhone: command.patient.phone ?? null,
        patientEmail: command.patient.email ?? null,
        admissionDate: command.admissionDate ?? null,
        createdAt: this.clock.now(),
      },
    });
  }
}
