import { describe, expect, test } from 'vitest'
import {
  canJump,
  embedUrl,
  isEmbed,
  parseStartParam,
  parseVideoUrl,
  storedFileName,
  storedUrlOf,
  type VideoSource,
} from './video-source.js'

function source(text: string): VideoSource {
  const result = parseVideoUrl(text)
  if (!result.ok) throw new Error(result.error)
  return result.source
}

function refusal(text: string): string {
  const result = parseVideoUrl(text)
  if (result.ok) throw new Error(`accepted ${text}`)
  return result.error
}

describe('parseVideoUrl', () => {
  test.each([
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'dQw4w9WgXcQ', null],
    ['youtube.com/watch?v=dQw4w9WgXcQ&t=90s', 'dQw4w9WgXcQ', 90_000],
    ['https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ', 'dQw4w9WgXcQ', null],
    ['https://youtu.be/dQw4w9WgXcQ?t=1h2m3s', 'dQw4w9WgXcQ', 3_723_000],
    ['https://www.youtube.com/live/dQw4w9WgXcQ?si=abc', 'dQw4w9WgXcQ', null],
    ['https://www.youtube.com/embed/dQw4w9WgXcQ?start=30', 'dQw4w9WgXcQ', 30_000],
    ['https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ', 'dQw4w9WgXcQ', null],
    ['https://youtube.com/shorts/dQw4w9WgXcQ', 'dQw4w9WgXcQ', null],
  ])('YouTube %s', (text, videoId, startMs) => {
    expect(source(text)).toEqual({ kind: 'youtube', videoId, startMs })
  })

  test.each([
    ['https://www.twitch.tv/valorant', { kind: 'twitch-channel', channel: 'valorant' }],
    ['twitch.tv/ESL_CSGO', { kind: 'twitch-channel', channel: 'esl_csgo' }],
    ['https://m.twitch.tv/valorant/', { kind: 'twitch-channel', channel: 'valorant' }],
    [
      'https://www.twitch.tv/videos/2212345678?t=01h02m03s',
      { kind: 'twitch-video', videoId: '2212345678', startMs: 3_723_000 },
    ],
    [
      'https://player.twitch.tv/?video=v2212345678&parent=example.com',
      { kind: 'twitch-video', videoId: '2212345678', startMs: null },
    ],
    [
      'https://player.twitch.tv/?channel=valorant&parent=x',
      { kind: 'twitch-channel', channel: 'valorant' },
    ],
  ])('Twitch %s', (text, expected) => {
    expect(source(text)).toEqual(expected)
  })

  test.each([
    ['https://cdn.example.com/live/master.m3u8?token=1', 'hls'],
    ['http://127.0.0.1:8080/vod/index.M3U8', 'hls'],
    ['https://example.com/match.mp4', 'direct'],
    ['https://example.com/a/b.webm#t=3', 'direct'],
    ['blob:http://127.0.0.1:7412/8f1c', 'direct'],
  ])('a video file %s', (text, kind) => {
    expect(source(text).kind).toBe(kind)
  })

  test.each([
    ['', /Nothing to load.*Paste a YouTube link/],
    ['   ', /Nothing to load/],
    ['file:///home/me/match.mp4', /use "Choose file"/],
    ['ftp://example.com/a.mp4', /ftp:\/\/ links cannot be played.*Paste/],
    ['not a url at all', /is not a URL.*Paste/],
    ['https://www.youtube.com/@valorant', /names no video.*watch\?v=/],
    ['https://www.youtube.com/results?search_query=vct', /names no video/],
    ['https://www.youtube.com/watch?v=short', /"short" is not a YouTube video id/],
    ['https://www.twitch.tv/directory/category/valorant', /not a channel or a VOD/],
    ['https://www.twitch.tv/videos/', /has no id/],
    ['https://clips.twitch.tv/FunnyClipSlug', /clips are not supported/],
    ['https://www.twitch.tv/valorant/clip/FunnyClipSlug', /clips are not supported/],
    ['https://player.twitch.tv/?parent=x', /names no channel or video/],
    ['https://example.com/watch/123', /neither YouTube nor Twitch.*\.m3u8/],
  ])('refuses %j, saying what to paste', (text, message) => {
    expect(refusal(text)).toMatch(message)
  })
})

describe('embeds', () => {
  test('YouTube goes through youtube-nocookie, with a start time when given', () => {
    const yt = source('https://youtu.be/dQw4w9WgXcQ')
    expect(embedUrl(yt, 'h')).toBe('https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ')
    expect(embedUrl(yt, 'h', 61_900)).toBe(
      'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=61&autoplay=1',
    )
    expect(embedUrl(source('https://youtu.be/dQw4w9WgXcQ?t=5'), 'h')).toContain('?start=5')
    expect(isEmbed(yt) && canJump(yt)).toBe(true)
  })

  test('Twitch names the page host as parent; VODs take a start time, channels cannot jump', () => {
    const channel = source('twitch.tv/valorant')
    expect(embedUrl(channel, '127.0.0.1')).toBe(
      'https://player.twitch.tv/?channel=valorant&parent=127.0.0.1',
    )
    expect(canJump(channel)).toBe(false)
    const vod = source('https://www.twitch.tv/videos/2212345678')
    expect(embedUrl(vod, 'localhost', 3_723_400)).toBe(
      'https://player.twitch.tv/?video=v2212345678&parent=localhost&time=1h2m3s&autoplay=true',
    )
  })

  test('<video> sources have no embed', () => {
    const hls = source('https://x.test/a.m3u8')
    expect(embedUrl(hls, 'h')).toBeNull()
    expect(isEmbed(hls) || canJump(hls)).toBe(false)
    expect(embedUrl({ kind: 'file', name: 'a.mp4', url: 'blob:x' }, 'h')).toBeNull()
  })
})

describe('start parameters and stored urls', () => {
  test.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1.5', 1_500],
    ['', null],
    [null, null],
    ['soon', null],
    ['1x', null],
  ])('parseStartParam(%j)', (text, ms) => {
    expect(parseStartParam(text)).toBe(ms)
  })

  test('a local file is stored by name; web sources as pasted', () => {
    const file: VideoSource = { kind: 'file', name: 'match.mp4', url: 'blob:abc' }
    expect(storedUrlOf(file, 'ignored')).toBe('file:match.mp4')
    expect(storedUrlOf(source('twitch.tv/valorant'), ' twitch.tv/valorant ')).toBe(
      'twitch.tv/valorant',
    )
    expect(storedFileName('file:match.mp4')).toBe('match.mp4')
    expect(storedFileName('https://x.test/a.mp4')).toBeNull()
    expect(storedFileName(null)).toBeNull()
  })
})
