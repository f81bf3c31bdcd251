import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainError } from '@diapason/domain';
import { TerminalRepository } from '@diapason/persistence';
import {
  NETWORK_REFUSED,
  ProtocolError,
  TerminalAccessPolicy,
  TerminalLinkSettings,
  canonicalHost,
  parseTransportUrl,
  transportKey,
} from '@diapason/terminal-bridge';
import { ProblemException } from '../../common/problem';

/** How long a name in a terminal's address may take to resolve when it is declared. */
const RESOLVE_TIMEOUT_MS = 5_000;

export interface VettedAddress {
  settings: TerminalLinkSettings;
  /** The physical terminal the address reaches (see `transportKey`). */
  key: string;
}

/** The one answer when an address belongs to another terminal record: it never says whose. */
export function addressInUse(): DomainError {
  return new DomainError(
    'conflict',
    'terminal_address_in_use',
    'Cette adresse de terminal est déjà déclarée pour un autre terminal en service : un terminal physique n’appartient qu’à une seule déclaration. ' +
      'Retirez l’ancienne déclaration (DELETE /v1/terminals/{id}) ou appelez le support DIAPASON.',
  );
}

export function terminalExists(id: string): DomainError {
  return new DomainError('conflict', 'terminal_exists', `Le terminal ${id} existe déjà.`);
}

/**
 * The rules of a terminal's address, the same for a declaration and an edit: well formed (400),
 * inside the allowed networks or serial devices (422, before anything is connected to or opened),
 * and not the address of another terminal in service, in any establishment (409).
 */
@Injectable()
export class TerminalAddressRules {
  constructor(
    private readonly terminals: TerminalRepository,
    private readonly policy: TerminalAccessPolicy,
  ) {}

  /** Form and allow-lists; outside any transaction (a name may take a moment to resolve). */
  async vet(transportUrl: string, bridgeHost: string | null): Promise<VettedAddress> {
    let settings: TerminalLinkSettings;
    try {
      settings = parseTransportUrl(transportUrl);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw new ProblemException(400, 'validation_failed', `Adresse du terminal invalide : ${error.message}`, {
        errors: [{ field: 'transportUrl', message: error.message }],
      });
    }
    const verdict = await this.policy.checkTransport(settings, AbortSignal.timeout(RESOLVE_TIMEOUT_MS)).catch(() => ({
      ok: false as const,
      target: 'network' as const,
      message: NETWORK_REFUSED,
    }));
    if (!verdict.ok) {
      throw new DomainError('invalid', 'terminal_address_not_allowed', `Adresse du terminal refusée : ${verdict.message}.`, {
        errors: [{ field: 'transportUrl', message: verdict.message }],
      });
    }
    return { settings, key: transportKey(settings, bridgeHost) };
  }

  /**
   * Refuses an address another terminal in service holds (`exceptId`: the terminal being edited).
   * Call inside the transaction that writes the terminal: it takes the address lock.
   */
  async assertFree(address: VettedAddress, exceptId?: string): Promise<void> {
    await this.terminals.lockAddresses();
    const t = address.settings.transport;
    const keys = [address.key];
    if (t.kind === 'tcp') {
      // A name and the address it stands for are the same terminal.
      const host = canonicalHost(t.host);
      for (const ip of await this.policy.addressesOf(host)) keys.push(transportKey({ ...address.settings, transport: { ...t, host: ip } }, null));
    }
    if (await this.terminals.addressTaken(keys, exceptId)) throw addressInUse();
    if (t.kind === 'serial') {
      // A serial terminal without a bridge host may be opened by any bridge: it shares its device with every host.
      const host = /^serial:\/\/([^/]*)/.exec(address.key)?.[1] ?? '';
      const path = address.key.replace(/^serial:\/\/[^/]*/, '');
      const holders = await this.terminals.serialHostsOf(path, exceptId);
      if (holders.length > 0 && (host === '' || holders.includes(''))) throw addressInUse();
    }
  }
}

/** A unique index that still caught a duplicate (written outside the API): the same answers. */
export function conflictOfUniqueViolation(error: unknown, code: string): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const driver = error.driverError as { code?: string; constraint?: string };
  if (driver.code !== '23505') return error;
  if (driver.constraint === 'terminal_transport_key_in_service') return addressInUse();
  if (driver.constraint === 'terminal_establishment_code_key') return terminalExists(code);
  return error;
}
