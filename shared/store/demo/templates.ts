/**
 * The demo's approved message templates (pt_BR), in Graph's shape: the simulator ("Meta")
 * lists them for the demo WABA, and the demo seed stores them for the demo account, so the
 * template picker and the new chat have something to send on a fresh checkout.
 */
export const DEMO_TEMPLATES = [
  {
    id: '900000000000001',
    name: 'retomar_atendimento',
    language: 'pt_BR',
    category: 'UTILITY',
    status: 'APPROVED',
    parameter_format: 'POSITIONAL',
    components: [
      {
        type: 'BODY',
        text: 'Olá {{1}}, aqui é da Loja Demo. Podemos continuar o seu atendimento por aqui?',
        example: { body_text: [['Ana']] },
      },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Sim, vamos continuar' }] },
    ],
  },
  {
    id: '900000000000002',
    name: 'pedido_enviado',
    language: 'pt_BR',
    category: 'UTILITY',
    status: 'APPROVED',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Pedido a caminho' },
      {
        type: 'BODY',
        text: 'Oi {{nome}}! Seu pedido {{pedido}} saiu para entrega.',
        example: {
          body_text_named_params: [
            { param_name: 'nome', example: 'Ana' },
            { param_name: 'pedido', example: '1234' },
          ],
        },
      },
      { type: 'FOOTER', text: 'Loja Demo' },
      {
        type: 'BUTTONS',
        buttons: [
          {
            type: 'URL',
            text: 'Rastrear pedido',
            url: 'https://example.com/rastreio/{{1}}',
            example: ['https://example.com/rastreio/1234'],
          },
        ],
      },
    ],
  },
  {
    id: '900000000000003',
    name: 'cupom_desconto',
    language: 'pt_BR',
    category: 'MARKETING',
    status: 'APPROVED',
    parameter_format: 'POSITIONAL',
    components: [
      {
        type: 'BODY',
        text: 'Olá {{1}}, temos um cupom de desconto para a sua próxima compra. Aproveite!',
        example: { body_text: [['Ana']] },
      },
      { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'DEMO10' }] },
    ],
  },
] as const satisfies readonly Record<string, unknown>[];
