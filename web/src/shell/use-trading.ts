/** The terminal's trading actions: each one reports its outcome as a toast. */
import { useCallback, useMemo, useRef, useState } from 'react'
import {
  OrderAnswer,
  OrdersAnswer,
  PanicCloseAnswer,
  ResumeAnswer,
  type OrderBody,
} from '../../../src/contracts/api.js'
import { z } from 'zod'
import { ApiError, deleteJson, postJson } from '../api/http.js'
import type { Toast, ToastKind } from './context.js'

const TOAST_MS: Readonly<Record<ToastKind, number>> = {
  denial: 9000,
  error: 9000,
  warning: 6000,
  info: 4000,
  success: 3000,
}
const MAX_TOASTS = 5

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, String(e))
}

export function useTrading() {
  const [toasts, setToasts] = useState<Toast[]>([])
  const [lastRefusal, setLastRefusal] = useState<ApiError | null>(null)
  const nextId = useRef(1)

  const dismiss = useCallback(
    (id: number) => setToasts((all) => all.filter((t) => t.id !== id)),
    [],
  )

  const toast = useCallback(
    (kind: ToastKind, title: string, text: string) => {
      const id = nextId.current++
      setToasts((all) => [...all, { id, kind, title, text }].slice(-MAX_TOASTS))
      setTimeout(() => dismiss(id), TOAST_MS[kind])
    },
    [dismiss],
  )

  const failed = useCallback(
    (what: string, e: unknown) => {
      const error = asApiError(e)
      if (error.code !== null) toast('denial', `${what} denied — ${error.code}`, error.message)
      else toast('error', `${what} failed`, error.describe())
      return error
    },
    [toast],
  )

  const placeOrder = useCallback(
    async (body: OrderBody, what: string): Promise<boolean> => {
      try {
        const { order } = await postJson('/api/orders', body, OrderAnswer)
        if (order.status === 'denied' || order.status === 'rejected') {
          const error = new ApiError(
            422,
            order.reason_message ?? order.status,
            order.reason_code ?? order.status,
          )
          setLastRefusal(error)
          toast('denial', `${what} ${order.status} — ${error.code}`, error.message)
          return false
        }
        setLastRefusal(null)
        toast(
          order.status === 'delayed' ? 'warning' : 'success',
          what,
          `Order ${order.status}${order.status === 'delayed' ? ' (in-play delay)' : ''}.`,
        )
        return true
      } catch (e) {
        setLastRefusal(failed(what, e))
        return false
      }
    },
    [toast, failed],
  )

  const cancelOrder = useCallback(
    async (id: string) => {
      try {
        const { order } = await deleteJson(`/api/orders/${encodeURIComponent(id)}`, OrderAnswer)
        toast('info', 'Cancel', `Order ${order.id} ${order.status}.`)
      } catch (e) {
        failed('Cancel', e)
      }
    },
    [toast, failed],
  )

  const cancelAll = useCallback(async () => {
    try {
      const { orders } = await postJson('/api/cancel-all', {}, OrdersAnswer)
      toast(
        'info',
        'Cancel all',
        `${orders.length} order${orders.length === 1 ? '' : 's'} cancelled.`,
      )
    } catch (e) {
      failed('Cancel all', e)
    }
  }, [toast, failed])

  const panicClose = useCallback(async () => {
    try {
      const answer = await postJson('/api/panic-close', {}, PanicCloseAnswer)
      const refused = answer.closes.filter((c) => !c.ok)
      const text = `${answer.cancelled.length} cancelled, ${answer.closes.length - refused.length} closing orders sent.`
      if (refused.length > 0) {
        toast(
          'denial',
          'Panic close incomplete',
          `${text} Refused: ${refused.map((c) => (c.ok ? '' : `${c.code}: ${c.message}`)).join('; ')}`,
        )
      } else {
        toast('warning', 'Panic close', text)
      }
    } catch (e) {
      failed('Panic close', e)
    }
  }, [toast, failed])

  const resume = useCallback(
    async (scope: string) => {
      try {
        const answer = await postJson('/api/risk/resume', { scope }, ResumeAnswer)
        toast(
          'info',
          'Resumed',
          answer.lifted.length > 0 ? `Lifted ${answer.lifted.join(', ')}.` : 'Nothing to lift.',
        )
      } catch (e) {
        failed('Resume', e)
      }
    },
    [toast, failed],
  )

  const cancelStop = useCallback(
    async (id: string) => {
      try {
        await deleteJson(`/api/stops/${encodeURIComponent(id)}`, z.unknown())
        toast('info', 'Stop', `Stop ${id} cancelled.`)
      } catch (e) {
        failed('Cancel stop', e)
      }
    },
    [toast, failed],
  )

  const actions = useMemo(
    () => ({ placeOrder, cancelOrder, cancelAll, panicClose, resume, cancelStop, toast }),
    [placeOrder, cancelOrder, cancelAll, panicClose, resume, cancelStop, toast],
  )
  return { actions, toasts, dismiss, lastRefusal }
}
