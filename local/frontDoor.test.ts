import { FRONT_DOOR_LINKS, frontDoorPage, readyBanner } from './frontDoor';

const FACTS = { version: '1.2.3', node: 'v20.0.0', store: 'sqlite', rpId: 'localhost', demoTenant: 'seeded' } as const;

describe('front door', () => {
  it('says what is running and links the demo page, the API description, health and the keys', () => {
    const page = frontDoorPage(FACTS);
    expect(page).toContain('1.2.3 (Node v20.0.0)');
    expect(page).toContain('sqlite');
    for (const path of ['/web/', '/admin/', '/openapi.json', '/health', '/.well-known/jwks.json'])
      expect(page).toContain(`<a href="${path}">`);
    expect(FRONT_DOOR_LINKS.map((l) => l.path)).toContain('/admin/');
  });

  it('holds no script or inline style (strict CSP)', () => {
    const page = frontDoorPage(FACTS);
    expect(page).not.toMatch(/<script|style=|<style/);
  });

  it('escapes what it shows (attack: markup in a setting such as RP_ID)', () => {
    expect(frontDoorPage({ ...FACTS, rpId: '<img src=x onerror=alert(1)>' })).toContain(
      '&lt;img src=x onerror=alert(1)&gt;',
    );
  });

  it('says whether the demo tenant was seeded, in the page and in the ready banner', () => {
    expect(frontDoorPage({ ...FACTS, demoTenant: 'present' })).toContain('the directory already had users');
    expect(readyBanner('http://localhost:7071', 'off')).toContain('not seeded (SEED_DEMO_TENANT is off)');
  });

  it('prints the front door, the demo page and the API description when ready', () => {
    const banner = readyBanner('http://localhost:7071', 'seeded');
    expect(banner).toContain('Front door:       http://localhost:7071/\n');
    expect(banner).toContain('Admin console:    http://localhost:7071/admin/\n');
    expect(banner).toContain('Demo sign-in:     http://localhost:7071/web/\n');
    expect(banner).toContain('API description:  http://localhost:7071/openapi.json\n');
    expect(banner).toMatch(/Demo tenant: +seeded at this start/);
  });
});
