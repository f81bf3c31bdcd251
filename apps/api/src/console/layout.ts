import { CONSOLE_ROLE_LABELS, ConsoleRole, ConsoleUser } from '@diapason/persistence';
import { Interpolated, SafeHtml, html } from './html';

/** One stylesheet, served by the console itself (CSP `style-src 'self'`), cached by the browser. */
export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;font-size:1rem;line-height:1.5;color:#161616;background:#f6f6f6}
a{color:#000091}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
header{background:#000091;color:#fff;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between}
header p{margin:0;font-weight:700}
header a,header button{color:#fff}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem}
nav a{font-weight:700;text-decoration:none;padding:.25rem 0;border-bottom:3px solid transparent}
nav a[aria-current="page"]{border-bottom-color:#fff}
.who{display:flex;gap:.75rem;align-items:center;font-size:.9375rem}
.who form{margin:0}
.who button{background:none;border:1px solid #fff;border-radius:.25rem;padding:.25rem .75rem;cursor:pointer;font:inherit}
main{max-width:64rem;margin:0 auto;padding:1rem}
.narrow{max-width:28rem}
h1{font-size:1.75rem;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
.card{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
label{display:block;font-weight:700;margin:.75rem 0 .25rem}
.hint{display:block;font-weight:400;font-size:.875rem;color:#3a3a3a}
input[type=text],input[type=password],select{width:100%;padding:.5rem;font:inherit;border:1px solid #666;border-radius:.25rem;background:#fff}
fieldset{border:1px solid #ddd;border-radius:.25rem;margin:.75rem 0;padding:.5rem 1rem}
legend{font-weight:700}
fieldset label{display:inline;font-weight:400;margin:0 1rem 0 .25rem}
button,.button{display:inline-block;padding:.5rem 1rem;margin:.75rem .5rem 0 0;font:inherit;font-weight:700;border-radius:.25rem;border:2px solid #000091;cursor:pointer;text-decoration:none}
.primary{background:#000091;color:#fff}
.secondary{background:#fff;color:#000091}
.danger{background:#fff;color:#ce0500;border-color:#ce0500}
:focus-visible{outline:3px solid #0a76f6;outline-offset:2px}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #ddd;vertical-align:top}
caption{caption-side:top;text-align:left;padding:.25rem 0}caption.hint{display:table-caption}
td form{margin:0}td button{margin:0}
.error{border-left:4px solid #ce0500;background:#ffe9e9;padding:.75rem 1rem;margin:0 0 1rem;color:#6e0000}
.notice{border-left:4px solid #18753c;background:#b8fec9;padding:.75rem 1rem;margin:0 0 1rem;color:#0b3d1e}
.secret{font-family:ui-monospace,monospace;font-size:1.125rem;background:#fff;border:2px dashed #000091;padding:.5rem;word-break:break-all}
.or{margin:1.5rem 0 .5rem;color:#3a3a3a}
ul.counts{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem}ul.counts a{display:block;background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:.5rem .75rem}.count{font-size:1.5rem;font-weight:700}
th[scope=row]{width:16rem}
footer{max-width:64rem;margin:0 auto;padding:1rem;font-size:.875rem;color:#3a3a3a}
`;

/** The console's sections, and the roles that open each; the server checks them on every route. */
export const SECTIONS: readonly { path: string; label: string; roles: readonly ConsoleRole[] }[] = [
  { path: '/console/guichet', label: 'Guichet', roles: ['caissier'] },
  { path: '/console/a-traiter', label: 'À traiter', roles: ['regisseur'] },
  { path: '/console/comptabilite', label: 'Comptabilité', roles: ['comptable'] },
  { path: '/console/administration', label: 'Administration', roles: ['administrateur'] },
];

/** Where a user lands: the régie's exceptions, the cashier's desk, then the others. */
export function homeOf(roles: readonly ConsoleRole[]): string | null {
  for (const role of ['regisseur', 'caissier', 'comptable', 'administrateur'] as const) {
    if (roles.includes(role)) return SECTIONS.find((s) => s.roles.includes(role))!.path;
  }
  return null;
}

export interface PageContext {
  user?: ConsoleUser;
  csrf?: string;
  /** Path of the page, to mark the current menu entry. */
  path?: string;
}

const FOOTER = html`<footer>
  <p>DIAPASON — console de la régie. Accessibilité : partiellement conforme (RGAA 4.1) ; signalez toute difficulté à votre administrateur.</p>
</footer>`;

/**
 * A table of data, the console's one markup for it: a caption (styled as a hint unless told
 * otherwise), column headings and the rows already rendered.
 */
export function dataTable(
  caption: Interpolated,
  headings: readonly Interpolated[],
  rows: Interpolated,
  options: { captionClass?: string | null } = {},
): SafeHtml {
  const captionClass = options.captionClass === undefined ? 'hint' : options.captionClass;
  return html`<table>
    <caption${captionClass ? html` class="${captionClass}"` : ''}>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${headings.map((heading) => html`<th scope="col">${heading}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

export const csrfField = (csrf: string | undefined) => html`<input type="hidden" name="_csrf" value="${csrf ?? ''}" />`;

function header(context: PageContext): SafeHtml {
  const user = context.user;
  if (!user) return html`<header><p>DIAPASON — console de la régie</p></header>`;
  const entries = SECTIONS.filter((s) => s.roles.some((r) => user.roles.includes(r)));
  const current = (path: string) => (context.path === path || context.path?.startsWith(`${path}/`) ? html` aria-current="page"` : '');
  return html`<header>
    <p>${user.establishmentName}</p>
    <nav aria-label="Menu principal">
      <ul>
        ${entries.map((s) => html`<li><a href="${s.path}" ${current(s.path)}>${s.label}</a></li>`)}
      </ul>
    </nav>
    <div class="who">
      <span>${user.displayName ?? user.login} (${user.roles.map((r) => CONSOLE_ROLE_LABELS[r]).join(', ')})</span>
      ${user.passwordHash ? html`<a href="/console/mot-de-passe">Mot de passe</a>` : ''}
      <form method="post" action="/console/deconnexion">${csrfField(context.csrf)}<button type="submit">Se déconnecter</button></form>
    </div>
  </header>`;
}

export function layout(title: string, context: PageContext, body: SafeHtml, narrow = false): string {
  return html`<!doctype html>
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title} — DIAPASON</title>
        <link rel="stylesheet" href="/console/style.css" />
      </head>
      <body>
        <a class="skip" href="#contenu">Aller au contenu</a>
        ${header(context)}
        <main id="contenu" ${narrow ? html` class="narrow"` : ''}>${body}</main>
        ${FOOTER}
      </body>
    </html>`.value;
}

export function errorPage(title: string, message: string, context: PageContext): string {
  return layout(
    title,
    context,
    html`<h1>${title}</h1>
      <p class="error" role="alert">${message}</p>
      <p><a href="/console">Retour à l’accueil de la console</a></p>`,
    true,
  );
}
