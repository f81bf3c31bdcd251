import { html } from './html';

describe('html template', () => {
  it('escapes what is interpolated, except html fragments', () => {
    const name = '<script>alert("x")</script>';
    const row = html`<td>${name}</td>`;
    const page = html`<tr>
        ${row}
      </tr>
      <p title="${'"onmouseover="x'}">${[html`<b>1</b>`, '<i>']}${null}${false}${3}</p>`;
    // The formatter may lay the template out on several lines: compare without that layout.
    expect(page.value.replace(/\s*\n\s*/g, '')).toBe(
      '<tr><td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td></tr><p title="&quot;onmouseover=&quot;x"><b>1</b>&lt;i&gt;3</p>',
    );
  });
});
