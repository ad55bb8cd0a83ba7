/**
 * Stands in for `eventemitter2` inside json-rules-engine in the built bundles (see scripts/build.ts),
 * to keep the bundle within its size budget: the engine uses two of its methods, `on` and
 * `emitAsync`, and calls the constructor as a plain function, so this is an ES5-style constructor
 * with exactly those. `emitAsync` resolves to the listeners' results, as eventemitter2's does.
 */
type Listener = (...args: unknown[]) => unknown;

interface EventEmitter {
  _listeners?: Map<string, Listener[]>;
  on(event: string, listener: Listener): EventEmitter;
  emitAsync(event: string, ...args: unknown[]): Promise<unknown[]>;
}

function EventEmitter(this: EventEmitter): void {
  this._listeners = new Map();
}

EventEmitter.prototype.on = function on(this: EventEmitter, event: string, listener: Listener): EventEmitter {
  this._listeners ??= new Map();
  const listeners = this._listeners.get(event);
  if (listeners) listeners.push(listener);
  else this._listeners.set(event, [listener]);
  return this;
};

EventEmitter.prototype.emitAsync = function emitAsync(this: EventEmitter, event: string, ...args: unknown[]): Promise<unknown[]> {
  const listeners = this._listeners?.get(event);
  if (!listeners) return Promise.resolve([]);
  try {
    return Promise.all(listeners.map((listener) => listener(...args)));
  } catch (error) {
    return Promise.reject(error);
  }
};

export default EventEmitter;
export { EventEmitter, EventEmitter as EventEmitter2 };
