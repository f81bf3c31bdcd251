import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { TerminalAccessPolicy } from './access-policy';
import type { TerminalModel } from './profiles';
import { TerminalClient } from './terminal-client';

/**
 * One client per terminal and process, rebuilt when the terminal's address or model changes. Every
 * client connects only where the access policy allows, checked again at each connection.
 */
@Injectable()
export class TerminalClients implements OnApplicationShutdown {
  private readonly clients = new Map<string, TerminalClient>();

  constructor(private readonly policy: TerminalAccessPolicy) {}

  for(terminal: { id: string; model: TerminalModel; transportUrl: string }): TerminalClient {
    const existing = this.clients.get(terminal.id);
    if (existing && existing.transportUrl === terminal.transportUrl && existing.model === terminal.model) return existing;
    void existing?.close();
    const client = new TerminalClient(terminal.model, terminal.transportUrl, this.policy);
    this.clients.set(terminal.id, client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close().catch(() => undefined)));
    this.clients.clear();
  }
}
