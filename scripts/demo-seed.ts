import type { DataSource } from 'typeorm';
import { EstablishmentRepository, TransactionContext } from '@diapason/persistence';

export const DEMO_ESTABLISHMENT = 'DEMO';
export const DEMO_REGIE = 'REGIE-DEMO';

/** The demo establishment of `npm start`, with a régie whose contact details appear in notices. */
export async function seedDemo(dataSource: DataSource): Promise<string> {
  const tx = new TransactionContext(dataSource);
  return tx.run(async () => {
    const establishments = new EstablishmentRepository(tx);
    const demo = await establishments.ensure(DEMO_ESTABLISHMENT, 'Centre hospitalier de démonstration');
    const regie = await establishments.findRegie(demo.id, DEMO_REGIE);
    if (!regie) {
      await establishments.upsertRegie(demo.id, DEMO_REGIE, {
        name: 'Régie des recettes — Centre hospitalier de démonstration',
        phone: '01 99 00 12 34',
        email: 'regie@demo.test',
        address: 'Hall d’accueil, rez-de-chaussée',
        openingHours: 'Du lundi au vendredi, de 8 h 30 à 17 h',
      });
    }
    return demo.id;
  });
}
