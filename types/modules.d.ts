declare module 'snappyjs' {
  export function compress(b: Uint8Array): Uint8Array;
  export function uncompress(b: Uint8Array): Uint8Array;
  const _default: { compress: typeof compress; uncompress: typeof uncompress };
  export default _default;
}
