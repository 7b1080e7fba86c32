/**
 * What the app's uPlot charts (LossChart, MetricChart) share: colours read from the stylesheet
 * (the CSP forbids inline styles; uPlot styles through the CSSOM, which it allows), the axis
 * look, a legend that shows the latest values while the cursor is off the plot, and a plot that
 * follows its element's width and is destroyed with the component.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { onBeforeUnmount, watch, type Ref } from 'vue';
import { palette } from '../theme.ts';

/** The last finite value of a column. */
export function lastOf(values: uPlot.AlignedData[number] | undefined): number | null {
  for (let i = (values?.length ?? 0) - 1; i >= 0; i--) {
    const value = values![i];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

/** A legend value: the one under the cursor, or the latest when the cursor is off the plot (`index` null). */
export const legendValue =
  (format: (value: number | null) => string) =>
  (plot: uPlot, value: number | null, seriesIndex: number, index: number | null): string =>
    format(index === null ? lastOf(plot.data[seriesIndex]) : value);

/** A custom property of the element's style, or `fallback` before it is in the page. */
export function cssColor(element: HTMLElement | null, name: string, fallback: string): string {
  const value = element ? getComputedStyle(element).getPropertyValue(name).trim() : '';
  return value || fallback;
}

/** The axes' colours, font, grid and ticks, from the stylesheet. */
export function axisStyle(element: HTMLElement | null): uPlot.Axis {
  const grid = cssColor(element, '--border-soft', '#ebebe6');
  return {
    stroke: cssColor(element, '--text-faint', '#8a8f96'),
    font: `10px ${cssColor(element, '--font-sans', 'system-ui')}`,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1, size: 4 },
  };
}

const showLatest = (plot: uPlot): void => plot.setLegend({ idxs: plot.series.map(() => null) });

/** One uPlot in `box`, `height` pixels high and as wide as the box; gone with the component; drawn again in the new colours when the palette changes. */
export function usePlot(box: Ref<HTMLElement | null>, height: number) {
  let plot: uPlot | null = null;
  let observer: ResizeObserver | null = null;
  /** The last options, to draw the plot again when the palette (the stylesheet's colours) changes. */
  let lastOptions: ((width: number) => uPlot.Options) | null = null;

  function destroy(): void {
    observer?.disconnect();
    observer = null;
    plot?.destroy();
    plot = null;
  }

  /** (Re)creates the plot; `options` gets the width to draw at. */
  function create(options: (width: number) => uPlot.Options, data: uPlot.AlignedData): void {
    destroy();
    lastOptions = options;
    if (!box.value) return;
    plot = new uPlot(options(Math.max(200, box.value.clientWidth)), data, box.value);
    showLatest(plot);
    observer = new ResizeObserver(() => {
      if (plot && box.value && box.value.clientWidth > 0) plot.setSize({ width: box.value.clientWidth, height });
    });
    observer.observe(box.value);
  }

  /** New data for the same series; the legend keeps showing the latest values unless the cursor is on the plot. */
  function update(data: uPlot.AlignedData): void {
    if (!plot || plot.series.length !== data.length) return;
    plot.setData(data);
    if (plot.cursor.idx === null || plot.cursor.idx === undefined) showLatest(plot);
  }

  const stopWatching = watch(palette, () => {
    if (plot && lastOptions) create(lastOptions, plot.data);
  });
  onBeforeUnmount(() => {
    stopWatching();
    destroy();
  });
  return { create, update, destroy };
}
