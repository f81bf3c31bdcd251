import nodemailer, { Transporter } from 'nodemailer';

export interface EmailSettings {
  /** smtp://host:port, smtps://user:password@host:465 */
  url: string;
  from: string;
}

/** The SMTP server refused the recipient for good (5xx): a bounce, fall back to SMS. */
export class EmailRejected extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'EmailRejected';
  }
}

export class EmailSender {
  private readonly transport: Transporter;

  constructor(private readonly settings: EmailSettings) {
    this.transport = nodemailer.createTransport(settings.url);
  }

  /**
   * Sends with a Message-ID derived from the notice: should a crash make us send again (SMTP cannot
   * be asked what it received), mail clients see one message.
   */
  async send(message: { to: string; subject: string; html: string; text: string; messageId: string }): Promise<{ messageId: string }> {
    try {
      const info = await this.transport.sendMail({ from: this.settings.from, ...message });
      if (info.rejected?.length) throw new EmailRejected(550, `Adresse refusée : ${String(info.rejected[0])}`);
      return { messageId: message.messageId };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      if (error instanceof EmailRejected) throw error;
      if (code !== undefined && code >= 500 && code < 600) throw new EmailRejected(code, (error as Error).message);
      throw error;
    }
  }

  close(): void {
    this.transport.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }
}
