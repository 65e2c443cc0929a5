import { describe, expect, it } from 'vitest'
import {
  l2Signature,
  orderHash,
  recoverClobAuthSigner,
  recoverOrderSigner,
  sameText,
  type SignedOrderV2,
} from './signing.js'

// Public Hardhat/Anvil test account #0; vectors from the protocol reference (5.6, 4.2).
const ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const ZERO32 = `0x${'0'.repeat(64)}`
const BUY: SignedOrderV2 = {
  salt: '890000000000',
  maker: ADDRESS,
  signer: ADDRESS,
  tokenId: '71321045679252212594626385532706912750332728571942532289631379312455583992563',
  makerAmount: '5200000',
  takerAmount: '10000000',
  side: 'BUY',
  signatureType: 0,
  timestamp: '1780000000000',
  expiration: '0',
  metadata: ZERO32,
  builder: ZERO32,
  signature:
    '0x0df65f91d342a94f01d7ca881bc47299be431ed7cfbae7cbda7f07cf874d358417298b9d0ae79cf48f2b64a5663bfcfe879b03a8e689c9c18ca537b9957664631c',
}
const SELL_NEG_RISK: SignedOrderV2 = {
  ...BUY,
  side: 'SELL',
  makerAmount: '10000000',
  takerAmount: '5200000',
  signature:
    '0x701746cef58d423c53c053fe42390905a1ef8b98d0d97a9481e0cfcc565e6b5a29062547b2ef57c7d2fe8f37d583a06200de443ab73ab02bbf90386da778b6271b',
}

describe('L2 HMAC', () => {
  it('matches the client test-suite vector and the GET vector', () => {
    const secret = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
    expect(l2Signature(secret, '1000000', 'test-sign', '/orders', '{"hash": "0x123"}')).toBe(
      'ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=',
    )
    expect(l2Signature(secret, '1780000000', 'GET', '/data/orders', '')).toBe(
      'muosFuUyRdm5-rt_3kDeIxe4VUR_Bt_baiZhBio3xOc=',
    )
  })

  it('accepts a base64url secret and compares in constant time', () => {
    const std = Buffer.alloc(32, 0xfb).toString('base64')
    const url = std.replace(/\+/g, '-').replace(/\//g, '_')
    expect(l2Signature(url, '1', 'GET', '/x', '')).toBe(l2Signature(std, '1', 'GET', '/x', ''))
    expect(sameText('abc', 'abc')).toBe(true)
    expect(sameText('abc', 'abd')).toBe(false)
    expect(sameText('abc', 'abcd')).toBe(false)
  })
})

describe('V2 order signature', () => {
  it('hashes to the reference digest (the order ID) and recovers the signer', async () => {
    expect(orderHash(BUY, 137, false)).toBe(
      '0x67fa40796da0d0aa8dc36760f0d2a3239713084d7af6b5bc7510e5063b82adab',
    )
    expect(await recoverOrderSigner(BUY, 137, false)).toBe(ADDRESS)
  })

  it('binds the verifying contract: a neg-risk signature recovers only on neg-risk', async () => {
    expect(await recoverOrderSigner(SELL_NEG_RISK, 137, true)).toBe(ADDRESS)
    expect(await recoverOrderSigner(SELL_NEG_RISK, 137, false)).not.toBe(ADDRESS)
  })

  it('binds every signed field and the chain', async () => {
    expect(await recoverOrderSigner({ ...BUY, takerAmount: '10000001' }, 137, false)).not.toBe(
      ADDRESS,
    )
    expect(await recoverOrderSigner(BUY, 80002, false)).not.toBe(ADDRESS)
    // expiration is not signed in V2
    expect(await recoverOrderSigner({ ...BUY, expiration: '1900000000' }, 137, false)).toBe(ADDRESS)
  })

  it('returns null for a signature that is not 65 bytes of hex', async () => {
    expect(await recoverOrderSigner({ ...BUY, signature: '0x1234' }, 137, false)).toBeNull()
    expect(
      await recoverOrderSigner({ ...BUY, signature: `0x${'zz'.repeat(65)}` }, 137, false),
    ).toBeNull()
  })
})

describe('L1 ClobAuth', () => {
  it('recovers the wallet from the reference signatures (chain 137 and Amoy)', async () => {
    const sig137 =
      '0x20e16d3674a1ba23b50f830c1c6e88807173acd4ed0b825e24c2d83923f14d757ce99d990aa08c01f651bd6ae2e829060d28bca72b053a5508627f70e16483061c'
    expect(await recoverClobAuthSigner(ADDRESS, '1780000000', 0n, sig137, 137)).toBe(ADDRESS)
    const sigAmoy =
      '0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b'
    expect(await recoverClobAuthSigner(ADDRESS, '10000000', 23n, sigAmoy, 80002)).toBe(ADDRESS)
  })

  it('does not recover the wallet when the timestamp, nonce or chain differ', async () => {
    const sig =
      '0x20e16d3674a1ba23b50f830c1c6e88807173acd4ed0b825e24c2d83923f14d757ce99d990aa08c01f651bd6ae2e829060d28bca72b053a5508627f70e16483061c'
    expect(await recoverClobAuthSigner(ADDRESS, '1780000001', 0n, sig, 137)).not.toBe(ADDRESS)
    expect(await recoverClobAuthSigner(ADDRESS, '1780000000', 1n, sig, 137)).not.toBe(ADDRESS)
    expect(await recoverClobAuthSigner(ADDRESS, '1780000000', 0n, sig, 80002)).not.toBe(ADDRESS)
    expect(await recoverClobAuthSigner('0x1234', '1780000000', 0n, sig, 137)).toBeNull()
  })
})
