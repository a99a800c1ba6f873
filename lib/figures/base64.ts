/**
 * Base64 encoding of bytes (no `@std/encoding` here: JSR is out of reach).
 * @module
 */

/** Encode bytes as standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}
