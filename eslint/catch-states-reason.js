// @ts-check
/**
 * A `catch` that drops the error must say why, in a comment inside it (or on the line before a
 * `.catch(...)` call): "nothing to clean up after a failed start", "the socket is gone anyway".
 * A catch that rethrows, or uses the error (logs it, maps it, inspects it), states its reason in
 * code. Silent failures are defects; a swallowed error with no stated reason is how they begin.
 */

/**
 * A comment inside the catch, on its line, or just before the statement that holds it (the `try`,
 * or the statement a `.catch(...)` call sits in, up to the enclosing block: a formatter may move a
 * reason written above a call to above the `if` it belongs to).
 * @param {import('eslint').SourceCode} source @param {import('estree').Node & { parent?: import('estree').Node }} node
 */
function hasReason(source, node) {
  /** @type {(import('estree').Node & { parent?: import('estree').Node }) | undefined} */
  let at = node;
  for (let depth = 0; at && depth < 6; depth++) {
    if (hasComment(source, at)) return true;
    const parent = at.parent;
    if (!parent || parent.type === 'BlockStatement' || parent.type === 'Program' || parent.type.includes('Function'))
      break;
    at = parent;
  }
  return false;
}

/** @param {import('eslint').SourceCode} source @param {import('estree').Node} node */
function hasComment(source, node) {
  if (source.getCommentsInside(node).length > 0) return true;
  const before = source.getCommentsBefore(node);
  if (before.length > 0) return true;
  const line = node.loc?.start.line ?? 0;
  return source.getAllComments().some((c) => c.loc && (c.loc.start.line === line || c.loc.end.line === line - 1));
}

/** @param {import('estree').Node} node @param {(n: import('estree').Node) => boolean} test */
function contains(node, test) {
  /** @type {import('estree').Node[]} */
  const stack = [node];
  while (stack.length > 0) {
    const n = /** @type {import('estree').Node} */ (stack.pop());
    if (test(n)) return true;
    for (const [key, value] of Object.entries(n)) {
      if (key === 'parent') continue;
      if (Array.isArray(value))
        for (const v of value) {
          if (v && typeof v.type === 'string') stack.push(v);
        }
      else if (value && typeof value === 'object' && typeof value.type === 'string') stack.push(value);
    }
  }
  return false;
}

/** @param {import('estree').Node | null | undefined} param @param {import('estree').Node} body */
function usesParam(param, body) {
  if (!param || param.type !== 'Identifier') return false;
  const name = param.name;
  return contains(body, (n) => n.type === 'Identifier' && n.name === name);
}

/** @type {import('eslint').Rule.RuleModule} */
export const catchStatesReason = {
  meta: {
    type: 'problem',
    docs: { description: 'A catch that drops its error says why in a comment.' },
    messages: {
      silent: 'This catch drops the error without a stated reason: rethrow it, use it, or say why in a comment.',
    },
    schema: [],
  },
  create(context) {
    const source = context.sourceCode;
    return {
      CatchClause(node) {
        if (contains(node.body, (n) => n.type === 'ThrowStatement')) return;
        if (usesParam(node.param, node.body)) return;
        if (hasComment(source, node.body) || hasReason(source, node)) return;
        context.report({ node, messageId: 'silent' });
      },
      CallExpression(node) {
        const callee = node.callee;
        if (
          callee.type !== 'MemberExpression' ||
          callee.property.type !== 'Identifier' ||
          callee.property.name !== 'catch'
        )
          return;
        const handler = node.arguments[0];
        if (!handler || (handler.type !== 'ArrowFunctionExpression' && handler.type !== 'FunctionExpression')) return;
        if (contains(handler.body, (n) => n.type === 'ThrowStatement')) return;
        if (usesParam(handler.params[0], handler.body)) return;
        if (hasComment(source, handler) || hasReason(source, node)) return;
        context.report({ node: handler, messageId: 'silent' });
      },
    };
  },
};
