const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Statement files arrive as UTF-8 (camt.053, recent CFONB exports) or as ISO-8859-1 / Windows-1252
 * (older CFONB), and nothing in a CFONB file says which: bytes that are not valid UTF-8 are read
 * as Latin-1, which never fails and keeps one character per byte. A leading BOM is dropped.
 */
export function decodeStatementText(content: string | Uint8Array): string {
  let text: string;
  if (typeof content === 'string') {
    text = content;
  } else {
    try {
      text = UTF8.decode(content);
    } catch {
      text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1');
    }
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
