/** The inspector's first text: speaker lines, verse, punctuation (every character in tinyshakespeare's vocabulary). */
export const DEFAULT_TEXT = `ROMEO:
But soft, what light through yonder window breaks?
It is the east, and Juliet is the sun.

JULIET:
O Romeo, Romeo! wherefore art thou Romeo?
`;
