import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { isSafeUrl, srOnly } from './dom.js';

/**
 * Markdown of the knowledge base (a finding's detail, a card's "Why this card" and evidence list),
 * rendered as an EHR renders a card's detail: GitHub-flavoured Markdown, then sanitised by DOMPurify
 * before it touches the page. Sanitising matters even for text we wrote: a card's rationale quotes
 * the patient's facts back (a medication name typed in the form), and those are nobody's Markdown.
 */

/** Headings in a card's detail would break the page's heading outline; they are shown as bold lines. */
const markdown = new Marked({
  gfm: true,
  async: false,
  renderer: {
    heading({ tokens }) {
      return `<p><strong>${this.parser.parseInline(tokens)}</strong></p>\n`;
    },
  },
});

const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr'];
const TABLE_TAGS = ['table', 'thead', 'tbody', 'tr', 'th', 'td'];

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName !== 'A') return;
  // Only web and mail links; anything else (javascript:, data:) loses its href.
  const href = node.getAttribute('href');
  if (href === null || !isSafeUrl(href)) {
    node.removeAttribute('href');
    return;
  }
  // A source opens beside the console, so the facts in the form are not lost.
  node.setAttribute('target', '_blank');
  node.setAttribute('rel', 'noopener noreferrer');
});

/** `source` rendered and sanitised, ready to insert. */
export function markdownFragment(source: string): DocumentFragment {
  const html = markdown.parse(source) as string;
  const fragment = DOMPurify.sanitize(html, {
    ALLOWED_TAGS: [...ALLOWED_TAGS, ...TABLE_TAGS],
    ALLOWED_ATTR: ['href', 'title', 'align'],
    RETURN_DOM_FRAGMENT: true,
  });
  // Added after sanitising, which would strip the class that hides it.
  for (const link of fragment.querySelectorAll('a[target="_blank"]')) link.append(srOnly(' (opens in a new tab)'));
  return fragment;
}
