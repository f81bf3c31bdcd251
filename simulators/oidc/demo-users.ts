/** The roles the console knows; a directory may send others, which the console ignores. */
export const DIAPASON_ROLES = ['caissier', 'regisseur', 'comptable', 'administrateur'] as const;
export type DiapasonRole = (typeof DIAPASON_ROLES)[number];

/** A person the simulated directory can authenticate. */
export interface OidcUser {
  /** What the person types in « Identifiant »; also the `sub` and `preferred_username` claims. */
  login: string;
  /** Plain text: this is a simulator, never a real directory. */
  password: string;
  givenName: string;
  familyName: string;
  email?: string;
  /** Sent in the roles claim (default `diapason_roles`); may be empty, or hold roles the console does not know. */
  roles: readonly string[];
  /** Establishment code sent in the establishment claim (default `diapason_establishment`). */
  establishment: string;
}

/** Display name, as sent in the `name` claim. */
export const displayName = (u: Pick<OidcUser, 'givenName' | 'familyName'>) => `${u.givenName} ${u.familyName}`;

/**
 * The demo directory. Everyone is at establishment `DEMO` but `thomas.girard`; `lucas.petit` has no
 * role (the console must refuse him), `claire.moreau` has two.
 */
export const DEMO_USERS: readonly OidcUser[] = Object.freeze(
  [
    {
      login: 'marie.durand',
      password: 'demo-caissier',
      givenName: 'Marie',
      familyName: 'Durand',
      email: 'marie.durand@demo.test',
      roles: ['caissier'],
      establishment: 'DEMO',
    },
    {
      login: 'paul.bernard',
      password: 'demo-regisseur',
      givenName: 'Paul',
      familyName: 'Bernard',
      email: 'paul.bernard@demo.test',
      roles: ['regisseur'],
      establishment: 'DEMO',
    },
    {
      login: 'sophie.leroy',
      password: 'demo-comptable',
      givenName: 'Sophie',
      familyName: 'Leroy',
      email: 'sophie.leroy@demo.test',
      roles: ['comptable'],
      establishment: 'DEMO',
    },
    {
      login: 'admin.demo',
      password: 'demo-administrateur',
      givenName: 'Alex',
      familyName: 'Admin',
      email: 'admin.demo@demo.test',
      roles: ['administrateur'],
      establishment: 'DEMO',
    },
    {
      login: 'claire.moreau',
      password: 'demo-regisseur-comptable',
      givenName: 'Claire',
      familyName: 'Moreau',
      email: 'claire.moreau@demo.test',
      roles: ['regisseur', 'comptable'],
      establishment: 'DEMO',
    },
    {
      login: 'lucas.petit',
      password: 'demo-sans-role',
      givenName: 'Lucas',
      familyName: 'Petit',
      email: 'lucas.petit@demo.test',
      roles: [],
      establishment: 'DEMO',
    },
    {
      login: 'thomas.girard',
      password: 'demo-autre-etablissement',
      givenName: 'Thomas',
      familyName: 'Girard',
      email: 'thomas.girard@autre.test',
      roles: ['caissier'],
      establishment: 'AUTRE',
    },
  ].map((u) => Object.freeze({ ...u, roles: Object.freeze([...u.roles]) })),
);
