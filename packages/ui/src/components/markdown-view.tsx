import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

// Images in a run's Markdown would load from anywhere (and the CSP blocks other origins anyway):
// they are shown as their alt text.
const components: Components = {
  img: ({ alt }) => <span className="muted">[image{alt ? `: ${alt}` : ''}]</span>,
};

/**
 * Markdown (with GitHub's tables and task lists) rendered to React elements. Raw HTML in the text is not rendered (`skipHtml`), link
 * URLs are filtered to safe protocols by react-markdown, and images show as text, so a README from
 * a run cannot run script on this page.
 */
export function MarkdownView({ text }: { text: string }) {
  return <div className="markdown"><Markdown skipHtml remarkPlugins={[remarkGfm]} components={components}>{text}</Markdown></div>;
}
