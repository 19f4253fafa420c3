// Distribution charts of a batch (route, tier, level) with Chart.js, loaded only when a batch
// is first shown. Only the parts a bar chart needs are registered, so the page stays light.
// Each chart is a canvas with a text summary for screen readers, next to a table of the same
// numbers.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", system-ui, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#1b2733';
Chart.defaults.animation = false;

const charts = new Map();

// Long names ("行政程序（行政复议、…）及行政诉讼") lose their bracketed part on the axis;
// the tooltip and the table give the whole name.
const short = (name) => {
  const s = name.replace(/（[^）]*）/g, '').replace(/\s+/g, '');
  return s.length > 12 ? `${s.slice(0, 11)}…` : s;
};

/**
 * Draws (or redraws) one chart. `series` is [{label, counts: {code: n}, color}], `labels` is
 * {code: name}, `order` the codes in display order.
 */
export function drawChart(canvas, { title, order, labels, series }) {
  const data = {
    labels: order.map((c) => short(labels[c] ?? c)),
    datasets: series.map((s) => ({
      label: s.label,
      data: order.map((c) => s.counts[c] ?? 0),
      backgroundColor: s.color,
      borderColor: s.border ?? s.color,
      borderWidth: 1,
      barPercentage: 0.9,
      categoryPercentage: 0.8,
    })),
  };
  const full = order.map((c) => labels[c] ?? c);
  const summary = `${title}：${order.map((c, i) => `${full[i]} ${series.map((s) => `${s.label} ${s.counts[c] ?? 0}`).join('，')}`).join('；')}`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', summary);
  canvas.parentElement.style.height = `${Math.max(120, 36 + order.length * (series.length > 1 ? 34 : 24))}px`;
  let chart = charts.get(canvas);
  if (chart) {
    chart.data = data;
    chart.options.plugins.legend.display = series.length > 1;
    chart.update();
    return chart;
  }
  chart = new Chart(canvas, {
    type: 'bar',
    data,
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#e3e8ee' } },
        y: { grid: { display: false } },
      },
      plugins: {
        legend: { display: series.length > 1, position: 'top', align: 'end', labels: { boxWidth: 12 } },
        tooltip: { callbacks: { title: (items) => full[items[0].dataIndex] } },
      },
    },
  });
  charts.set(canvas, chart);
  return chart;
}
