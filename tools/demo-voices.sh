#!/usr/bin/env bash
# Makes the demo carrier's voices (demo/carrier/voices/*.wav): short sentences in Russian and
# English spoken by espeak-ng, band-limited to the telephone band and stored as 8 kHz mono
# G.711 mu-law WAV, the payload the carrier sends as PCMU without transcoding. Run once by
# hand when a sentence changes (the WAVs are committed, so `make run` needs only Go):
#
#   apt-get install espeak-ng sox && bash tools/demo-voices.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo/carrier/voices
for cmd in espeak-ng sox; do
  command -v "$cmd" >/dev/null || { echo "demo-voices: $cmd not found: apt-get install espeak-ng sox" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# say NAME VOICE TEXT: NAME.wav, the sentence alone.
say() {
  espeak-ng -v "$2" -s 150 -w "$tmp/raw.wav" "$3"
  # The telephone band (ITU-T G.712: 300-3400 Hz), peaks at -3 dBFS, 8 kHz mu-law.
  sox -v 0.7 "$tmp/raw.wav" -r 8000 -c 1 -e mu-law -b 8 "$out/$1.wav" highpass 300 lowpass 3400 norm -3
}

# voicemail NAME VOICE TEXT: the greeting, a short pause and the 1 kHz beep that tells the
# caller to speak (what an answering machine sounds like to an agent).
voicemail() {
  espeak-ng -v "$2" -s 150 -w "$tmp/raw.wav" "$3"
  sox -v 0.7 "$tmp/raw.wav" -r 8000 -c 1 "$tmp/greeting.wav" highpass 300 lowpass 3400 norm -3 pad 0 0.4
  sox -n -r 8000 -c 1 "$tmp/beep.wav" synth 0.6 sine 1000 vol 0.5
  sox "$tmp/greeting.wav" "$tmp/beep.wav" -e mu-law -b 8 "$out/$1.wav"
}

# Who speaks: a person who answers (a woman), a customer who calls the hotline (a man), and
# a voicemail greeting. demo/carrier/voices.go names the files.
say ru-person-hello ru+f3 "Алло? Да, слушаю вас."
say ru-person-reply ru+f3 "Да, понятно. А когда мне её привезут?"
say ru-person-bye ru+f3 "Хорошо, спасибо. До свидания!"
say ru-caller-complaint ru+m3 "Здравствуйте! Я звоню по поводу моей посылки. Она до сих пор не пришла. Подскажите, где она сейчас?"
say ru-caller-again ru+m3 "Алло? Вы меня слышите?"
say ru-caller-bye ru+m3 "Ладно, спасибо. До свидания."
voicemail ru-voicemail ru+f2 "Здравствуйте. Вы позвонили Марине. Я сейчас не могу ответить. Оставьте, пожалуйста, сообщение после сигнала."

say en-person-hello en-us+f3 "Hello? Yes, speaking."
say en-person-reply en-us+f3 "I see. So when will it be delivered?"
say en-person-bye en-us+f3 "Okay, thank you. Goodbye!"
say en-caller-complaint en+m3 "Hello! I am calling about my parcel. It still has not arrived. Can you tell me where it is?"
say en-caller-again en+m3 "Hello? Can you hear me?"
say en-caller-bye en+m3 "All right, thanks. Bye."
voicemail en-voicemail en-us+f2 "Hi, you have reached Anna. I can't take your call right now. Please leave a message after the tone."

du -cb "$out"/*.wav | tail -n 1 | awk '{printf "demo-voices: %d bytes in %s\n", $1, "'"$out"'"}'
