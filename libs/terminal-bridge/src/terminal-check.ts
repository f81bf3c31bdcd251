import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { NETWORK_REFUSED, TargetNotAllowedError, TerminalAccessPolicy, raceAbort } from './access-policy';
import { ProtocolError } from './concert/errors';
import { LinkError, deadlineError } from './links/link';
import { PROFILES, TerminalModel } from './profiles';
import { TerminalClients } from './terminal-clients';
import { describeTransport, parseTransportUrl } from './transport-url';

export interface CheckProblem {
  cause: string;
  /** What the hospital verifies itself. */
  check: string;
  /** Whom to call when the check does not solve it. */
  contact: string;
}

export interface CheckReport {
  terminalId: string;
  label: string;
  model: string;
  profile: string;
  transport: string;
  ok: boolean;
  latencyMs: number | null;
  steps: { step: string; ok: boolean; detail: string }[];
  problems: CheckProblem[];
  checkedAt: string;
}

const IT = 'service informatique de l’établissement';
const VENDOR = 'fournisseur du terminal (Ingenico / mainteneur)';
const EDITOR = 'support DIAPASON (éditeur du logiciel)';

/** Likely causes of a failed exchange, in the order the hospital should look at them. */
export function diagnose(error: unknown, transportKind: 'serial' | 'tcp'): CheckProblem[] {
  if (error instanceof TargetNotAllowedError) return [notAllowedProblem(error.target)];
  if (error instanceof LinkError) {
    const sys = error.systemCode;
    if (transportKind === 'serial' && sys === 'ENOENT') {
      return [
        {
          cause: 'Port série introuvable : câble USB débranché, terminal éteint ou mauvais port dans l’adresse.',
          check: 'Câble branché des deux côtés, terminal allumé ; le port existe (ls /dev/ttyACM* /dev/ttyUSB*) ; l’adresse du terminal le nomme.',
          contact: IT,
        },
      ];
    }
    if (sys === 'EACCES') {
      return [{ cause: 'Accès au port série refusé.', check: 'Le compte qui exécute DIAPASON appartient au groupe dialout.', contact: IT }];
    }
    if (sys === 'EBUSY') {
      return [
        {
          cause: 'Port série déjà ouvert par un autre programme (ancien logiciel de caisse ?).',
          check: 'Fermer l’autre programme, ou vérifier qu’un seul pont DIAPASON gère ce terminal.',
          contact: IT,
        },
      ];
    }
    if (sys === 'ECONNREFUSED') {
      return [
        {
          cause: 'Le terminal refuse la connexion : mode caisse (Caisse-AP) non activé ou mauvais port.',
          check: 'Menu du terminal : liaison caisse activée en IP, port 8888 (ou celui de l’adresse).',
          contact: VENDOR,
        },
      ];
    }
    if (sys && ['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN'].includes(sys)) {
      return [
        {
          cause: 'Terminal injoignable sur le réseau.',
          check: 'Adresse IP du terminal (menu réseau), Wi-Fi ou câble, pare-feu entre le serveur et le terminal.',
          contact: IT,
        },
        { cause: 'Terminal éteint ou en veille.', check: 'Terminal allumé, batterie chargée (iWL280 sur son socle).', contact: VENDOR },
      ];
    }
    if (error.code === 'link_unavailable' && transportKind === 'serial') {
      return [
        {
          cause: 'Le terminal ne répond pas à la caisse : pas en mode caisse, ou vitesse/parité différentes.',
          check:
            'Menu du terminal : liaison caisse activée (Concert V2, USB ou série) ; vitesse et parité identiques à l’adresse (baudRate, parity).',
          contact: VENDOR,
        },
        { cause: 'Mauvais câble (câble de charge sans données).', check: 'Essayer le câble livré avec le terminal.', contact: IT },
      ];
    }
    if (error.code === 'nak_limit' || error.code === 'bad_lrc') {
      return [
        {
          cause: 'Les octets sont déformés sur la ligne : vitesse, bits de données ou parité incorrects.',
          check: 'Comparer baudRate, dataBits, parity de l’adresse avec le menu du terminal (USB : 9600 8N1 ; RS-232 : 7 bits, parité paire).',
          contact: VENDOR,
        },
      ];
    }
    if (error.code === 'timeout' || error.code === 'link_closed') {
      return [
        {
          cause: 'Le terminal reçoit la demande mais ne répond pas : occupé, hors mode caisse, ou application de paiement bloquée.',
          check: 'Écran du terminal : aucune transaction en cours ; redémarrer le terminal.',
          contact: VENDOR,
        },
      ];
    }
  }
  if (error instanceof ProtocolError) {
    return [
      {
        cause: 'Le dialogue ne suit pas le profil de protocole attendu pour ce modèle.',
        check: 'Modèle déclaré correct (ICT250 / iWL280) ; version de l’application caisse du terminal.',
        contact: EDITOR,
      },
    ];
  }
  return [{ cause: `Erreur inattendue : ${error instanceof Error ? error.message : String(error)}`, check: 'Journal du service.', contact: EDITOR }];
}

/**
 * The one answer for a target outside the allow-lists: nothing was attempted, so nothing tells an
 * open port from a closed one, a silent host, or an existing file from a missing one.
 */
function notAllowedProblem(target: 'network' | 'serial'): CheckProblem {
  return target === 'serial'
    ? {
        cause: 'Port série non autorisé : DIAPASON n’ouvre que les ports série listés dans DIAPASON_SERIAL_DEVICES.',
        check:
          'Adresse du terminal (serial:///dev/ttyACM0, /dev/ttyUSB0, /dev/serial/by-id/…) ; au besoin, ajouter le port à DIAPASON_SERIAL_DEVICES.',
        contact: IT,
      }
    : {
        cause: 'Adresse hors des réseaux autorisés : DIAPASON ne se connecte qu’aux réseaux listés dans DIAPASON_TERMINAL_ALLOWED_NETWORKS.',
        check: 'Adresse IP du terminal (menu réseau) ; au besoin, ajouter son réseau à DIAPASON_TERMINAL_ALLOWED_NETWORKS.',
        contact: IT,
      };
}

/** A terminal as the bridge knows it: what to call it, how to reach it. */
export interface TerminalDescriptor {
  id: string;
  code: string;
  label: string;
  model: TerminalModel;
  transportUrl: string;
}

/**
 * Where the bridge takes a terminal for one exchange and reports what it saw. The terminal
 * registry (persistence) implements it; the bridge itself holds bytes, not tables.
 */
export interface TerminalRegistry {
  claim(terminalId: string, busyWith: string, now: Date, leaseMs: number): Promise<boolean>;
  release(terminalId: string, busyWith: string): Promise<void>;
  recordSeen(terminalId: string, at: Date, latencyMs: number): Promise<void>;
  recordError(terminalId: string, at: Date, message: string): Promise<void>;
}

export const TERMINAL_REGISTRY = Symbol('TERMINAL_REGISTRY');

@Injectable()
export class TerminalCheck {
  constructor(
    private readonly clients: TerminalClients,
    @Inject(TERMINAL_REGISTRY) private readonly terminals: TerminalRegistry,
    @InjectClock() private readonly clock: Clock,
    private readonly policy: TerminalAccessPolicy,
  ) {}

  /**
   * Opens the link and asks for the last transaction: no money moves. Answers within the check
   * timeout (15 s at most) whatever the target does; a target outside the allow-lists is refused
   * before any connection, with the same report whatever is there.
   */
  async run(terminal: TerminalDescriptor): Promise<CheckReport> {
    const deadline = AbortSignal.timeout(this.policy.checkTimeoutMs);
    const profile = PROFILES[terminal.model];
    const steps: CheckReport['steps'] = [];
    const report: CheckReport = {
      terminalId: terminal.code,
      label: terminal.label,
      model: terminal.model,
      profile: profile.label,
      transport: terminal.transportUrl,
      ok: false,
      latencyMs: null,
      steps,
      problems: [],
      checkedAt: this.clock.now().toISOString(),
    };
    let settings;
    try {
      settings = parseTransportUrl(terminal.transportUrl);
    } catch (error) {
      steps.push({ step: 'Adresse du terminal', ok: false, detail: (error as Error).message });
      report.problems.push({
        cause: 'Adresse du terminal invalide.',
        check: 'Format serial:///dev/ttyACM0?baudRate=9600 ou tcp://adresse:8888.',
        contact: IT,
      });
      return report;
    }
    const verdict = await raceAbort(this.policy.checkTransport(settings, deadline), deadline).catch(() => ({
      ok: false as const,
      target: 'network' as const,
      message: NETWORK_REFUSED,
    }));
    if (!verdict.ok) {
      steps.push({ step: 'Adresse du terminal', ok: false, detail: `Adresse refusée : ${verdict.message}.` });
      report.problems.push(notAllowedProblem(verdict.target));
      return report;
    }
    steps.push({ step: 'Adresse du terminal', ok: true, detail: describeTransport(settings) });

    const holder = `check:${process.pid}`;
    if (!(await this.terminals.claim(terminal.id, holder, this.clock.now(), 30_000))) {
      steps.push({ step: 'Disponibilité', ok: false, detail: 'Une transaction est en cours sur ce terminal.' });
      report.problems.push({
        cause: 'Terminal occupé par une transaction.',
        check: 'Attendre la fin de la transaction puis relancer la vérification.',
        contact: IT,
      });
      return report;
    }
    try {
      // The link is closed when the deadline passes; the race answers even if something ignores it.
      const result = await raceAbort(this.clients.for(terminal).lastTransaction({ signal: deadline }), deadline).catch((error: unknown) => {
        throw deadline.aborted ? deadlineError(true) : error;
      });
      report.latencyMs = Math.round(result.latencyMs);
      steps.push({ step: 'Liaison', ok: true, detail: 'Le terminal répond en mode caisse.' });
      steps.push({ step: 'Temps de réponse', ok: true, detail: `${report.latencyMs} ms` });
      steps.push({ step: 'Protocole', ok: true, detail: `Réponse conforme au profil ${profile.label}.` });
      steps.push({
        step: 'Contrat PLBS',
        ok: true,
        detail: result.answer.contractNumber
          ? `Contrat commerçant ${result.answer.contractNumber} présent sur le terminal.`
          : 'Non vérifiable sans transaction : une première empreinte de test le confirmera.',
      });
      report.ok = true;
      await this.terminals.recordSeen(terminal.id, this.clock.now(), result.latencyMs);
    } catch (error) {
      steps.push({ step: 'Liaison', ok: false, detail: error instanceof Error ? error.message : String(error) });
      report.problems = diagnose(error, settings.transport.kind);
      await this.terminals.recordError(terminal.id, this.clock.now(), error instanceof Error ? error.message : String(error));
    } finally {
      await this.terminals.release(terminal.id, holder);
    }
    return report;
  }
}

/** The report as the operator reads it in a terminal window. */
export function formatCheckReport(report: CheckReport): string {
  const lines = [
    `Vérification du terminal ${report.terminalId} — ${report.label}`,
    `Modèle : ${report.model} (${report.profile})`,
    `Adresse : ${report.transport}`,
    '',
    ...report.steps.map((s) => `  ${s.ok ? '[OK]    ' : '[ÉCHEC] '} ${s.step} : ${s.detail}`),
    '',
  ];
  if (report.ok) {
    lines.push(`Résultat : terminal prêt (liaison ${report.latencyMs} ms).`);
  } else {
    lines.push('Résultat : terminal NON opérationnel.', '', 'Causes probables, dans l’ordre :');
    report.problems.forEach((p, i) => {
      lines.push(`  ${i + 1}. ${p.cause}`, `     À vérifier : ${p.check}`, `     Ensuite, appeler : ${p.contact}`);
    });
  }
  return lines.join('\n');
}
