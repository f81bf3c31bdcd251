import { PASSWORD_RULES_TEXT } from '@diapason/persistence';
import { html } from './html';
import { PageContext, csrfField, layout } from './layout';

export interface LoginForm {
  csrf: string;
  establishment?: string;
  login?: string;
  error?: string;
  info?: string;
  sso: boolean;
}

export function loginPage(form: LoginForm): string {
  const invalid = form.error ? html` aria-invalid="true" aria-describedby="erreur"` : '';
  return layout(
    'Connexion',
    {},
    html`<h1>Connexion à la console</h1>
      ${form.info ? html`<p class="notice" role="status">${form.info}</p>` : ''}
      ${form.error ? html`<p class="error" id="erreur" role="alert">${form.error}</p>` : ''}
      <form method="post" action="/console/connexion" class="card">
        ${csrfField(form.csrf)}
        <label for="etablissement">Établissement <span class="hint">Code donné par votre administrateur, ex. CHU-NANTES</span></label>
        <input
          id="etablissement"
          name="etablissement"
          type="text"
          autocomplete="organization"
          autocapitalize="characters"
          spellcheck="false"
          required
          value="${form.establishment ?? ''}"
        />
        <label for="identifiant">Identifiant</label>
        <input
          id="identifiant"
          name="identifiant"
          type="text"
          autocomplete="username"
          autocapitalize="none"
          spellcheck="false"
          required
          value="${form.login ?? ''}"
          ${invalid}
        />
        <label for="mot-de-passe">Mot de passe</label>
        <input id="mot-de-passe" name="mot_de_passe" type="password" autocomplete="current-password" required${invalid} />
        <button class="primary" type="submit">Se connecter</button>
      </form>
      ${
        form.sso
          ? html`<p class="or">Ou, avec le compte de votre établissement :</p>
              <p><a class="button secondary" href="/console/connexion/oidc">Se connecter avec l’annuaire de l’établissement</a></p>`
          : ''
      }`,
    true,
  );
}

export function passwordPage(context: PageContext, first: boolean, error?: string): string {
  const invalid = error ? html` aria-invalid="true" aria-describedby="erreur"` : '';
  return layout(
    'Mot de passe',
    context,
    html`<h1>${first ? 'Choisissez votre mot de passe' : 'Changer de mot de passe'}</h1>
      ${first ? html`<p class="notice" role="status">Première connexion : remplacez le mot de passe à usage unique par le vôtre.</p>` : ''}
      ${error ? html`<p class="error" id="erreur" role="alert">${error}</p>` : ''}
      <form method="post" action="/console/mot-de-passe" class="card">
        ${csrfField(context.csrf)}
        <label for="actuel">Mot de passe actuel${first ? html` <span class="hint">Celui qui vous a été remis</span>` : ''}</label>
        <input id="actuel" name="actuel" type="password" autocomplete="current-password" required />
        <label for="nouveau">Nouveau mot de passe <span class="hint" id="regles">${PASSWORD_RULES_TEXT}</span></label>
        <input
          id="nouveau"
          name="nouveau"
          type="password"
          autocomplete="new-password"
          required
          minlength="12"
          maxlength="128"
          aria-describedby="regles"
          ${invalid}
        />
        <label for="confirmation">Confirmation du nouveau mot de passe</label>
        <input id="confirmation" name="confirmation" type="password" autocomplete="new-password" required${invalid} />
        <button class="primary" type="submit">Enregistrer</button>
      </form>`,
    true,
  );
}
