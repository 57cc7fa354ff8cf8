import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { RATES, savedPosition, savedRate, savePosition, saveRate } from './position.ts';

const clock = (seconds: number) => {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * An episode player: the browser's <audio> with controls, plus buttons that
 * say what they do, a playback rate, keyboard shortcuts (Space or K play and
 * pause, J or ← back 15 s, L or → forward 30 s) and the position remembered
 * per episode in localStorage.
 */
export function AudioPlayer({
  episodeId,
  src,
  title,
  durationSeconds,
}: {
  episodeId: string;
  src: string;
  title: string;
  durationSeconds: number | null;
}) {
  const audio = useRef<HTMLAudioElement>(null);
  const rateId = useId();
  const helpId = useId();
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(() => savedPosition(episodeId));
  const [rate, setRate] = useState(savedRate);
  const duration = durationSeconds ?? 0;

  useEffect(() => {
    setTime(savedPosition(episodeId));
    setPlaying(false);
  }, [episodeId]);
  useEffect(() => {
    if (audio.current) audio.current.playbackRate = rate;
  }, [rate]);

  const element = () => audio.current;
  const toggle = () => {
    const a = element();
    if (!a) return;
    if (a.paused) void a.play().catch(() => setPlaying(false));
    else a.pause();
  };
  const skip = (by: number) => {
    const a = element();
    if (!a) return;
    a.currentTime = Math.max(0, Math.min((a.duration || duration) - 0.1, a.currentTime + by));
  };

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    // Leave keys alone while a control that uses them has focus.
    const target = event.target as HTMLElement;
    if (target.tagName === 'SELECT' || target.tagName === 'AUDIO') return;
    if (event.key === ' ' && target.tagName === 'BUTTON') return; // the button itself handles Space
    switch (event.key) {
      case ' ':
      case 'k':
        toggle();
        break;
      case 'j':
      case 'ArrowLeft':
        skip(-15);
        break;
      case 'l':
      case 'ArrowRight':
        skip(30);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  return (
    <section
      className="player card"
      aria-label={`Player: ${title}`}
      aria-describedby={helpId}
      onKeyDown={onKeyDown}
    >
      {/* biome-ignore lint/a11y/useMediaCaption: podcast audio; the episode page carries its text */}
      <audio
        ref={audio}
        src={src}
        preload="metadata"
        controls
        onLoadedMetadata={(event) => {
          const a = event.currentTarget;
          a.playbackRate = rate;
          const start = savedPosition(episodeId);
          if (start > 0 && start < a.duration - 2) a.currentTime = start;
        }}
        onTimeUpdate={(event) => {
          const a = event.currentTarget;
          setTime(a.currentTime);
          savePosition(episodeId, a.currentTime, a.duration);
        }}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
      />
      <div className="row">
        <button type="button" onClick={toggle}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <button type="button" className="secondary" onClick={() => skip(-15)}>
          Back 15 s
        </button>
        <button type="button" className="secondary" onClick={() => skip(30)}>
          Forward 30 s
        </button>
        <div className="rate">
          <label htmlFor={rateId}>Speed</label>
          <select
            id={rateId}
            value={rate}
            onChange={(event) => {
              const next = Number(event.target.value);
              setRate(next);
              saveRate(next);
            }}
          >
            {RATES.map((r) => (
              <option key={r} value={r}>
                {r}×
              </option>
            ))}
          </select>
        </div>
        <span className="hint" aria-live="off">
          {clock(time)}
          {duration > 0 && ` / ${clock(duration)}`}
        </span>
      </div>
      <small id={helpId} className="hint">
        Keys: Space or K play/pause, J or ← back 15 s, L or → forward 30 s.
      </small>
    </section>
  );
}
