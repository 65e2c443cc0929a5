/**
 * A short tone for warning and critical alerts, made with WebAudio (no sound files). Browsers
 * allow audio only after a user gesture; until then the beep is skipped silently.
 */
let context: AudioContext | null = null

export function beep(severity: 'warning' | 'critical'): void {
  try {
    context ??= new AudioContext()
    if (context.state === 'suspended') void context.resume()
    const now = context.currentTime
    const tones = severity === 'critical' ? [880, 660, 880] : [660]
    tones.forEach((frequency, i) => {
      const oscillator = context!.createOscillator()
      const gain = context!.createGain()
      oscillator.type = 'square'
      oscillator.frequency.value = frequency
      const start = now + i * 0.16
      gain.gain.setValueAtTime(0.0001, start)
      gain.gain.exponentialRampToValueAtTime(0.08, start + 0.01)
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.13)
      oscillator.connect(gain).connect(context!.destination)
      oscillator.start(start)
      oscillator.stop(start + 0.14)
    })
  } catch {
    // No audio device or not allowed yet: the alert still shows.
  }
}
