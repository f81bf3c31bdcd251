/** Every failure of the Concert layer is one of these; nothing else escapes the codecs. */
export type ProtocolErrorCode =
  | 'bad_lrc'
  | 'frame_too_long'
  | 'bad_length'
  | 'bad_field'
  | 'missing_tag'
  | 'bad_tlv'
  | 'unexpected_byte'
  | 'timeout'
  | 'nak_limit'
  | 'link_closed'
  | 'link_unavailable';

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
