import Markdown from 'react-markdown';

/**
 * Markdown rendered to React elements. Raw HTML in the text is not rendered (react-markdown drops
 * it unless a plugin allows it), and link and image URLs are filtered to safe protocols, so a
 * README from a run cannot run script on this page.
 */
export function MarkdownView({ text }: { text: string }) {
  return <div className="markdown"><Markdown skipHtml>{text}</Markdown></div>;
}
