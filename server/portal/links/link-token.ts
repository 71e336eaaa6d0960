/**
 * The link token: an EdDSA-signed JWT (RFC 7519) carried in the URL fragment. Verification follows RFC 8725:
 * the algorithm is pinned (no `none`, no HS256 "signed" with our public key), the explicit `typ` keeps other
 * JWTs from being replayed as link tokens (§3.11), and `aud`, `iss`, `exp`, `jti` are required (§3.9-3.10).
 */
import { errors as joseErrors, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { PortalError } from '../errors.ts';

export const LINK_TOKEN_TYP = 'beeldpoort-link+jwt';
export const LINK_AUDIENCE = 'upload';
/** A genuine token is ~300 bytes; anything much longer is rejected before any parsing. */
const MAX_TOKEN_LENGTH = 2048;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface SigningKeys {
  readonly signingPrivate: CryptoKey;
  readonly signingPublic: CryptoKey;
  readonly signingKid: string;
}

export async function signLinkToken(claims: { linkId: string; expiresAt: number; issuer: string }, keys: SigningKeys, now: number): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', typ: LINK_TOKEN_TYP, kid: keys.signingKid })
    .setIssuer(claims.issuer)
    .setAudience(LINK_AUDIENCE)
    .setJti(claims.linkId)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(claims.expiresAt / 1000))
    .sign(keys.signingPrivate);
}

/**
 * Returns the link id (jti) and the exp (in ms) of a valid token; throws PortalError E_TOKEN_INVALID or
 * E_LINK_EXPIRED.
 */
export async function verifyLinkToken(token: string, keys: SigningKeys, issuer: string, now: number): Promise<{ linkId: string; expiresAt: number }> {
  // A JWE (five segments), an oversized or a malformed token is refused before jose sees it.
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw new PortalError('E_TOKEN_INVALID', 'the link token is malformed');
  try {
    const { payload } = await jwtVerify(token, keys.signingPublic, {
      algorithms: ['EdDSA'],
      typ: LINK_TOKEN_TYP,
      audience: LINK_AUDIENCE,
      issuer,
      requiredClaims: ['jti', 'exp', 'iat'],
      currentDate: new Date(now),
      clockTolerance: 30,
    });
    if (typeof payload.jti !== 'string' || payload.jti === '') throw new PortalError('E_TOKEN_INVALID', 'the link token has no link id');
    return { linkId: payload.jti, expiresAt: payload.exp! * 1000 };
  } catch (error) {
    if (error instanceof PortalError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new PortalError('E_LINK_EXPIRED', 'this upload link has expired');
    throw new PortalError('E_TOKEN_INVALID', 'the link token is not valid', { cause: error });
  }
}
