// The step a plotly animation stopped at goes back to Python (ui/components/play_step.py):
// once when Play runs to its end, when Pause stops it, or when a step is picked on the
// figure's own slider. Frames are named by their step (ui/animate.py). Nothing is sent
// while the animation runs: Play stays in the browser. Every rerun sends this script, so
// it is short (play_step._js strips these comments).
export default function ({ parentElement: el, data, setTriggerValue }) {
  const h = el.playStep ??= {};  // this component's state, kept across reruns
  h.step = data.step;
  h.scope = data.scope;
  h.stop = f => {  // f: the name of the frame on show
    if (f !== null && +f !== h.step) { h.step = +f; setTriggerValue("stopped", +f); }
  };
  // Each figure is watched from the first press on the page (captured before the figure
  // sees it), so no press that starts an animation is missed; a figure plotly drew anew
  // has a new gd.on and is watched again.
  h.scan ??= () => {
    for (const gd of document.querySelectorAll(`.${h.scope} .js-plotly-plot`)) {
      if (!gd.on || gd.playStepOn === gd.on) continue;
      let f = null, t = 0;
      const stopped = () => { clearTimeout(t); t = setTimeout(() => el.playStep?.stop(f), 250); };
      gd.playStepOn = gd.on;
      gd.on("plotly_animatingframe", e => { f = e.name; });
      gd.on("plotly_animated", stopped);  // Pause: "interrupted", then "animated": one message
      gd.on("plotly_animationinterrupted", stopped);
    }
  };
  document.addEventListener("pointerdown", h.scan, true);  // the same function: added once
  return () => { document.removeEventListener("pointerdown", h.scan, true); delete el.playStep; };
}
