import { expect, test } from 'vitest'
import { z } from 'zod'
import { MAX_CLIENT_MESSAGE_CHARS, readClientMessage } from './client-message.js'

const Message = z.strictObject({ type: z.literal('ping'), t: z.number() })

test('a well-formed frame is parsed', () => {
  expect(readClientMessage('{"type":"ping","t":3}', Message, 'x')).toEqual({
    ok: true,
    message: { type: 'ping', t: 3 },
  })
})

test('each bad frame is refused with what was wrong', () => {
  const long = `{"type":"ping","t":1,"pad":"${'x'.repeat(MAX_CLIENT_MESSAGE_CHARS)}"}`
  expect(readClientMessage(long, Message, 'x')).toEqual({
    ok: false,
    reason: `message longer than ${MAX_CLIENT_MESSAGE_CHARS} characters`,
  })
  expect(readClientMessage('ping', Message, '{"type":"ping","t":0}')).toEqual({
    ok: false,
    reason: 'not JSON; send {"type":"ping","t":0}',
  })
  const wrongField = readClientMessage('{"type":"ping","t":"soon"}', Message, 'x')
  expect(wrongField.ok).toBe(false)
  expect(!wrongField.ok && wrongField.reason).toMatch(/^invalid message at t: /)
  const notObject = readClientMessage('7', Message, 'x')
  expect(!notObject.ok && notObject.reason).toMatch(/^invalid message: /)
})
