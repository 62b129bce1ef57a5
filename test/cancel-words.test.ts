import { describe, expect, it } from '@jest/globals';
import { cancelGuess, listsStatus } from '../src/domain/cancel-words.js';

/** Issue 17: which shop status names mean "cancelled", whatever their case and accents. */
describe('status names that mean cancelled, refused or returned', () => {
  it.each(['Törölve', 'TÖRÖLVE', 'torolve', 'Törölt', 'Visszamondva', 'Sztornózva', 'Elutasítva', 'Visszautasítva', 'Visszáru', 'Visszáru (raktárba)', 'Lemondva', 'Cancelled', 'Refunded', 'Törlés', 'Törlésre vár', 'Elállás', 'Elállt', 'Visszavonva', 'Visszautalva'])(
    '%s is a cancellation',
    (name) => {
      expect(cancelGuess(name)).toBe('sure');
    },
  );

  it.each(['Sikertelen fizetés', 'Nem vette át', 'Meghiúsult', 'Megszakítva'])('%s is a maybe (a person decides)', (name) => {
    expect(cancelGuess(name)).toBe('maybe');
  });

  it.each(['Függőben lévő', 'Feldolgozás alatt', 'Kiszállítva', 'Teljesítve', 'Fizetésre vár', 'Csomagolás', 'Törlesztés alatt'])('%s is not', (name) => {
    expect(cancelGuess(name)).toBeNull();
  });

  it('a list names a status by id or by name, any case', () => {
    const status = { id: '7', name: 'Törölve' };
    expect(listsStatus(['7'], status)).toBe(true);
    expect(listsStatus(['törölve'], status)).toBe(true);
    expect(listsStatus(['5', 'Teljesítve'], status)).toBe(false);
  });
});
